package dev.agentflow.web.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.springframework.security.authentication.AbstractAuthenticationToken;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.BadCredentialsException;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;

/**
 * The configured API keys, checked as bearer tokens. A key is {@value #PREFIX} and 43 characters of
 * 256 random bits; only its SHA-256 is configured, compared in constant time. (A slow password hash
 * would add nothing for keys this random and would cost every request.) A bearer token without the
 * prefix is not a key: it is left to the JWT decoder, if one is configured.
 */
public final class ApiKeys implements AuthenticationProvider {

    public static final String PREFIX = "af_";
    private static final String HASH_PREFIX = "sha256:";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._@-]{1,100}");
    private static final Pattern HASH = Pattern.compile("sha256:[0-9a-f]{64}");

    private record Key(String name, byte[] hash, List<SimpleGrantedAuthority> authorities) {
    }

    private final List<Key> keys;

    /** @throws IllegalArgumentException naming the first key that is configured wrongly */
    public ApiKeys(List<SecurityProperties.ApiKey> configured) {
        List<Key> checked = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < configured.size(); i++) {
            SecurityProperties.ApiKey key = configured.get(i);
            String where = "agentflow.security.api-keys[" + i + "]";
            if (key.name() == null || !NAME.matcher(key.name()).matches()) {
                throw new IllegalArgumentException(where + ".name must be 1 to 100 letters, digits or . _ @ -");
            }
            if (!names.add(key.name())) {
                throw new IllegalArgumentException(where + ".name '" + key.name() + "' is used twice");
            }
            if (key.hash() == null || !HASH.matcher(key.hash()).matches()) {
                throw new IllegalArgumentException(where + ".hash must be 'sha256:' and 64 hex digits (the key's "
                        + "hash, never the key; 'java -jar agentflow.jar create-api-key' prints one)");
            }
            if (key.roles().isEmpty()) {
                throw new IllegalArgumentException(where + ".roles must name at least one of viewer, operator, "
                        + "editor, admin");
            }
            List<SimpleGrantedAuthority> authorities = new ArrayList<>();
            for (String role : key.roles()) {
                authorities.add(new SimpleGrantedAuthority(Role.parse(role).orElseThrow(() ->
                        new IllegalArgumentException(where + ".roles: '" + role + "' is not one of viewer, "
                                + "operator, editor, admin")).authority()));
            }
            checked.add(new Key(key.name(), HexFormat.of().parseHex(key.hash().substring(HASH_PREFIX.length())),
                    List.copyOf(authorities)));
        }
        this.keys = List.copyOf(checked);
    }

    public boolean isEmpty() {
        return keys.isEmpty();
    }

    /** A new key and the hash to configure for it. */
    public record NewKey(String key, String hash) {
    }

    public static NewKey generate() {
        byte[] random = new byte[32];
        new SecureRandom().nextBytes(random);
        String key = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(random);
        return new NewKey(key, hash(key));
    }

    /** {@code sha256:} and the hex SHA-256 of the key's UTF-8 bytes. */
    public static String hash(String key) {
        return HASH_PREFIX + HexFormat.of().formatHex(sha256(key));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (!token.startsWith(PREFIX)) {
            return null; // not a key: for the JWT decoder
        }
        byte[] presented = sha256(token);
        Key match = null;
        for (Key key : keys) { // every key compared, in constant time, so timing tells nothing
            if (MessageDigest.isEqual(presented, key.hash())) {
                match = key;
            }
        }
        if (match == null) {
            throw new BadCredentialsException("The API key is not valid");
        }
        return new KeyAuthentication(match.name(), match.authorities());
    }

    @Override
    public boolean supports(Class<?> authentication) {
        return BearerTokenAuthenticationToken.class.isAssignableFrom(authentication);
    }

    /** An authenticated API key, named {@code key:<name>}. */
    static final class KeyAuthentication extends AbstractAuthenticationToken {
        private final String name;

        KeyAuthentication(String name, List<SimpleGrantedAuthority> authorities) {
            super(authorities);
            this.name = "key:" + name;
            setAuthenticated(true);
        }

        @Override
        public Object getCredentials() {
            return null;
        }

        @Override
        public Object getPrincipal() {
            return name;
        }

        @Override
        public String getName() {
            return name;
        }
    }
}
