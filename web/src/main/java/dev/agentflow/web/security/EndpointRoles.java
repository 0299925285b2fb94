package dev.agentflow.web.security;

import jakarta.servlet.http.HttpServletRequest;
import java.util.List;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.configurers.AuthorizeHttpRequestsConfigurer;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * The role each endpoint needs, in one table: the authorization rules are built from it, and a
 * 403 names the role from it. A new write endpoint declares its row here; one that does not needs
 * {@code admin} (secure by default), and {@code SecurityIT} fails until it has its row.
 */
public final class EndpointRoles {

    /** One row: the method and path pattern, and the least role that may call it. */
    public record Rule(HttpMethod method, String pattern, Role role) {
        public RequestMatcher matcher() {
            return PathPatternRequestMatcher.withDefaults().matcher(method, pattern);
        }
    }

    private static final String RUNS = "/api/v1/workflows/runs/*";

    /** Writes, most specific first: the run routes sit under {@code /api/v1/workflows/runs}. */
    public static final List<Rule> WRITES = List.of(
            new Rule(HttpMethod.POST, RUNS + "/resume", Role.operator),
            new Rule(HttpMethod.POST, RUNS + "/cancel", Role.operator),
            new Rule(HttpMethod.POST, RUNS + "/retry", Role.operator),
            new Rule(HttpMethod.POST, RUNS + "/fork", Role.operator),
            new Rule(HttpMethod.DELETE, RUNS, Role.operator),
            new Rule(HttpMethod.POST, "/api/v1/workflows/*/run", Role.operator),
            new Rule(HttpMethod.POST, "/api/v1/workflows", Role.editor),
            new Rule(HttpMethod.PATCH, "/api/v1/workflows/*", Role.editor),
            new Rule(HttpMethod.DELETE, "/api/v1/workflows/*", Role.editor),
            new Rule(HttpMethod.POST, "/api/v1/workflows/*/clone", Role.editor),
            new Rule(HttpMethod.POST, "/api/v1/workflows/*/steps", Role.editor),
            new Rule(HttpMethod.PATCH, "/api/v1/workflows/*/steps/*", Role.editor),
            new Rule(HttpMethod.DELETE, "/api/v1/workflows/*/steps/*", Role.editor));

    /** Reads of anything need {@code viewer}. */
    private static final List<HttpMethod> READS = List.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);

    private EndpointRoles() {
    }

    /** The rules, in order: writes by the table, reads by {@code viewer}, anything else by {@code admin}. */
    public static void authorize(
            AuthorizeHttpRequestsConfigurer<?>.AuthorizationManagerRequestMatcherRegistry registry) {
        for (Rule rule : WRITES) {
            registry.requestMatchers(rule.matcher()).hasRole(rule.role().name());
        }
        for (HttpMethod method : READS) {
            registry.requestMatchers(PathPatternRequestMatcher.withDefaults().matcher(method, "/**"))
                    .hasRole(Role.viewer.name());
        }
        registry.anyRequest().hasRole(Role.admin.name());
    }

    /** The least role the request needs. */
    public static Role required(HttpServletRequest request) {
        for (Rule rule : WRITES) {
            if (rule.matcher().matches(request)) {
                return rule.role();
            }
        }
        return READS.stream().anyMatch(m -> m.matches(request.getMethod())) ? Role.viewer : Role.admin;
    }
}
