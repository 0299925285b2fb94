package dev.agentflow.web.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

class ApiKeysTest {

    private static final ApiKeys.NewKey KEY = ApiKeys.generate();
    private final ApiKeys keys = new ApiKeys(List.of(new SecurityProperties.ApiKey("ci", KEY.hash(),
            List.of("Operator", "viewer"))));

    @Test
    void aGeneratedKeyIsRandomAndOnlyItsHashIsConfigured() {
        ApiKeys.NewKey other = ApiKeys.generate();
        assertThat(KEY.key()).startsWith("af_").hasSize(46).isNotEqualTo(other.key());
        assertThat(KEY.hash()).matches("sha256:[0-9a-f]{64}").doesNotContain(KEY.key().substring(3));
        assertThat(ApiKeys.hash(KEY.key())).isEqualTo(KEY.hash());
    }

    @Test
    void theKeyAuthenticatesAsItsNameWithItsRoles() {
        Authentication authenticated = keys.authenticate(new BearerTokenAuthenticationToken(KEY.key()));

        assertThat(authenticated.getName()).isEqualTo("key:ci");
        assertThat(authenticated.getAuthorities()).extracting(GrantedAuthority::getAuthority)
                .containsExactly("ROLE_operator", "ROLE_viewer");
        assertThat(authenticated.getCredentials()).isNull();
    }

    @Test
    void anUnknownKeyIsRefusedAndATokenThatIsNotAKeyIsLeftToTheJwtDecoder() {
        assertThatThrownBy(() -> keys.authenticate(new BearerTokenAuthenticationToken(ApiKeys.generate().key())))
                .isInstanceOf(BadCredentialsException.class);
        assertThat(keys.authenticate(new BearerTokenAuthenticationToken("eyJhbGciOi.x.y"))).isNull();
    }

    @Test
    void aKeyConfiguredWronglyIsNamedAtStart() {
        assertThatThrownBy(() -> new ApiKeys(List.of(new SecurityProperties.ApiKey("ci", KEY.key(), List.of("admin")))))
                .hasMessageContaining("agentflow.security.api-keys[0].hash").hasMessageContaining("never the key");
        assertThatThrownBy(() -> new ApiKeys(List.of(new SecurityProperties.ApiKey("ci", KEY.hash(), List.of("root")))))
                .hasMessageContaining("'root' is not one of");
        assertThatThrownBy(() -> new ApiKeys(List.of(new SecurityProperties.ApiKey("ci", KEY.hash(), List.of()))))
                .hasMessageContaining("roles must name");
        assertThatThrownBy(() -> new ApiKeys(List.of(new SecurityProperties.ApiKey("a b", KEY.hash(), List.of("admin")))))
                .hasMessageContaining("[0].name");
        assertThatThrownBy(() -> new ApiKeys(List.of(new SecurityProperties.ApiKey("ci", KEY.hash(), List.of("admin")),
                new SecurityProperties.ApiKey("ci", ApiKeys.generate().hash(), List.of("admin")))))
                .hasMessageContaining("used twice");
    }
}
