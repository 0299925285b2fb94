package dev.agentflow.web.security;

import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * {@code agentflow.security.*}: who may call the API. JWTs are configured the Spring Boot way
 * ({@code spring.security.oauth2.resourceserver.jwt.issuer-uri} or {@code .jwk-set-uri}); this
 * says where their roles and name are.
 *
 * @param mode      {@code auto} (default): authentication is required once API keys or a JWT issuer
 *                  are configured, and a server bound beyond loopback refuses to start without them;
 *                  {@code none}: the API is open to anyone who reaches it (a warning at every start)
 * @param apiKeys   the API keys, each as a name, the SHA-256 of the key and its roles
 * @param jwt       where a JWT keeps its roles and its principal's name
 * @param cors      the origins whose pages may call the API from a browser (none by default)
 * @param rateLimit writes per principal
 */
@ConfigurationProperties("agentflow.security")
public record SecurityProperties(Mode mode, List<ApiKey> apiKeys, Jwt jwt, Cors cors, RateLimit rateLimit) {

    public SecurityProperties {
        mode = mode == null ? Mode.auto : mode;
        apiKeys = apiKeys == null ? List.of() : List.copyOf(apiKeys);
        jwt = jwt == null ? new Jwt(null, null) : jwt;
        cors = cors == null ? new Cors(null) : cors;
        rateLimit = rateLimit == null ? new RateLimit(null, null) : rateLimit;
    }

    public enum Mode { auto, none }

    /**
     * One API key.
     *
     * @param name  who the key belongs to: the actor recorded for what it does
     * @param hash  {@code sha256:} and the hex SHA-256 of the key (never the key itself)
     * @param roles its roles
     */
    public record ApiKey(String name, String hash, List<String> roles) {
        public ApiKey {
            roles = roles == null ? List.of() : List.copyOf(roles);
        }
    }

    /**
     * @param rolesClaim     the claim holding the roles: a list or a space-separated string; a dotted
     *                       path reaches into objects ({@code realm_access.roles} for Keycloak)
     * @param principalClaim the claim naming the principal (the recorded actor)
     */
    public record Jwt(String rolesClaim, String principalClaim) {
        public Jwt {
            rolesClaim = rolesClaim == null || rolesClaim.isBlank() ? "roles" : rolesClaim;
            principalClaim = principalClaim == null || principalClaim.isBlank() ? "sub" : principalClaim;
        }
    }

    /** @param allowedOrigins origins allowed to call the API cross-site; empty refuses every cross-site call */
    public record Cors(List<String> allowedOrigins) {
        public Cors {
            allowedOrigins = allowedOrigins == null ? List.of() : List.copyOf(allowedOrigins);
        }
    }

    /**
     * @param writes writes each principal may make per period (0: no limit)
     * @param period the period
     */
    public record RateLimit(Integer writes, Duration period) {
        public RateLimit {
            writes = writes == null ? 200 : writes;
            period = period == null ? Duration.ofSeconds(1) : period;
        }
    }
}
