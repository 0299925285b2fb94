package dev.agentflow.web.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.springframework.core.convert.converter.Converter;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationToken;

/**
 * A verified JWT as a principal: its roles from the configured claim (a list, or a space-separated
 * string; a dotted path reaches into objects, such as Keycloak's {@code realm_access.roles}; names
 * that are not roles are ignored), its name {@code jwt:} and the configured principal claim (a JWT
 * without it is refused).
 */
final class JwtRoles implements Converter<Jwt, AbstractAuthenticationToken> {

    private final SecurityProperties.Jwt settings;

    JwtRoles(SecurityProperties.Jwt settings) {
        this.settings = settings;
    }

    @Override
    public AbstractAuthenticationToken convert(Jwt jwt) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (String name : names(claim(jwt.getClaims(), settings.rolesClaim()))) {
            Role.parse(name).ifPresent(role -> authorities.add(new SimpleGrantedAuthority(role.authority())));
        }
        Object principal = claim(jwt.getClaims(), settings.principalClaim());
        if (principal == null || principal.toString().isBlank()) {
            // Nobody to record as the actor: refused, never attributed to a shared name.
            throw new BadCredentialsException("The JWT has no " + settings.principalClaim() + " claim");
        }
        return new JwtAuthenticationToken(jwt, authorities, "jwt:" + principal);
    }

    private static Object claim(Map<String, Object> claims, String path) {
        Object value = claims;
        for (String part : path.split("\\.")) {
            if (!(value instanceof Map<?, ?> map)) {
                return null;
            }
            value = map.get(part);
        }
        return value;
    }

    private static List<String> names(Object claim) {
        if (claim instanceof Collection<?> values) {
            return values.stream().map(String::valueOf).toList();
        }
        if (claim instanceof String text) {
            return List.of(text.trim().split("\\s+"));
        }
        return List.of();
    }
}
