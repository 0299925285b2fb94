package dev.agentflow.web.security;

import dev.agentflow.web.ProblemResponses;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.AuthenticationProvider;
import org.springframework.security.authentication.ProviderManager;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;
import org.springframework.security.oauth2.server.resource.web.BearerTokenAuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.access.intercept.AuthorizationFilter;
import org.springframework.security.web.csrf.CsrfFilter;
import org.springframework.security.web.header.writers.ContentSecurityPolicyHeaderWriter;
import org.springframework.security.web.header.writers.DelegatingRequestMatcherHeaderWriter;
import org.springframework.security.web.header.writers.ReferrerPolicyHeaderWriter;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.NegatedRequestMatcher;
import org.springframework.security.web.util.matcher.OrRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;
import org.springframework.web.cors.CorsConfiguration;
import org.springframework.web.cors.DefaultCorsProcessor;
import org.springframework.web.cors.UrlBasedCorsConfigurationSource;
import org.springframework.web.filter.CorsFilter;

/**
 * Who may call the API, the Spring Security way. Bearer tokens are API keys ({@link ApiKeys}) or,
 * when Spring Boot's resource server has a {@link JwtDecoder} (an issuer or JWK set URI), JWTs
 * whose roles come from a claim ({@link JwtRoles}); each endpoint needs the role
 * {@link EndpointRoles} gives it, with {@code admin > editor, operator > viewer}. 401 and 403 are
 * problem+json. Without keys or JWTs the API is open, which it may be only on loopback or with
 * {@code agentflow.security.mode=none}: otherwise the server refuses to start; open on loopback, it
 * answers only requests addressed to localhost ({@link LoopbackHostOnly}). In every mode writes
 * take JSON only, cross-site calls are refused unless their origin is allowed, answers carry the
 * security headers, and each principal's writes are rate-limited.
 */
@AutoConfiguration(
        afterName = "org.springframework.boot.security.oauth2.server.resource.autoconfigure."
                + "OAuth2ResourceServerAutoConfiguration",
        beforeName = {
                "org.springframework.boot.security.oauth2.server.resource.autoconfigure.web."
                        + "OAuth2ResourceServerWebSecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration"})
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@EnableConfigurationProperties(SecurityProperties.class)
public class SecurityConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(SecurityConfiguration.class);

    /** The API's OpenAPI description and Swagger UI, which show it: readable by everyone. */
    static final String[] DOCS = {"/v3/api-docs", "/v3/api-docs/**", "/swagger-ui.html", "/swagger-ui/**"};
    /** Who the caller is and whether a credential is needed: open to everyone (it holds nothing else). */
    public static final String ME = "/api/v1/me";
    /**
     * The operator console's pages and its static files (command-api's {@code ConsoleController} and
     * {@code static/console/}): readable by everyone, as they hold no data; the console signs in
     * with a bearer credential and calls the API like any client.
     */
    public static final String[] CONSOLE = {"/", "/workflows", "/workflows/**", "/runs", "/runs/**", "/inbox",
            "/agents", "/sign-in", "/console/**"};
    private static final RequestMatcher CONSOLE_FILES = new OrRequestMatcher(Arrays.stream(CONSOLE)
            .map(path -> (RequestMatcher) PathPatternRequestMatcher.withDefaults().matcher(HttpMethod.GET, path))
            .toList());
    private static final RequestMatcher UI = new OrRequestMatcher(
            PathPatternRequestMatcher.withDefaults().matcher("/swagger-ui.html"),
            PathPatternRequestMatcher.withDefaults().matcher("/swagger-ui/**"));

    @Bean
    RoleHierarchy roleHierarchy() {
        return Role.hierarchy();
    }

    @Bean
    ApiKeys apiKeys(SecurityProperties properties) {
        return new ApiKeys(properties.apiKeys());
    }

    /** Whether callers must present a credential (keys or JWTs configured, and the mode is not none). */
    @Bean
    AuthenticationRequirement authenticationRequirement(SecurityProperties properties, ApiKeys keys,
                                                        ObjectProvider<JwtDecoder> jwtDecoder) {
        return new AuthenticationRequirement(properties.mode() != SecurityProperties.Mode.none
                && (!keys.isEmpty() || jwtDecoder.getIfAvailable() != null));
    }

    @Bean
    SecurityFilterChain agentflowSecurity(HttpSecurity http, SecurityProperties properties, ApiKeys keys,
                                          ObjectProvider<JwtDecoder> jwtDecoder, Environment environment)
            throws Exception {
        JwtDecoder jwt = jwtDecoder.getIfAvailable();
        boolean credentials = !keys.isEmpty() || jwt != null;
        boolean open = properties.mode() == SecurityProperties.Mode.none || !credentials;
        String address = environment.getProperty("server.address");
        if (properties.mode() == SecurityProperties.Mode.none) {
            LOG.warn("agentflow.security.mode=none: the API is open to everyone who can reach {}: anyone can read "
                    + "every run and start, approve or cancel runs", address == null ? "any address of this host"
                    : address);
        } else if (open && !loopback(address)) {
            throw new InsecureBindingException(address == null ? "every interface" : address);
        } else if (open) {
            LOG.info("The API is open to callers on this machine only ({}); configure API keys or JWTs before "
                    + "listening beyond it (docs/security.md)", address);
        }

        http.csrf(csrf -> csrf.disable()) // bearer tokens, no cookies: JSON-only writes and CORS refuse cross-site calls
                .logout(logout -> logout.disable())
                .requestCache(cache -> cache.disable())
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .headers(headers -> headers
                        // the API answers data, never a page to render; Swagger UI is a page, of this origin only
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(
                                new NegatedRequestMatcher(new OrRequestMatcher(UI, CONSOLE_FILES)),
                                new ContentSecurityPolicyHeaderWriter("default-src 'none'; frame-ancestors 'none'")))
                        // the console: its own scripts, styles and API calls, nothing inline, nothing from elsewhere
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(CONSOLE_FILES,
                                new ContentSecurityPolicyHeaderWriter("default-src 'none'; script-src 'self'; "
                                        + "style-src 'self'; img-src 'self' data:; connect-src 'self'; "
                                        + "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")))
                        .addHeaderWriter(new DelegatingRequestMatcherHeaderWriter(UI, new ContentSecurityPolicyHeaderWriter(
                                "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                                        + "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'")))
                        .referrerPolicy(referrer -> referrer.policy(ReferrerPolicyHeaderWriter.ReferrerPolicy.NO_REFERRER)))
                .addFilterBefore(cors(properties.cors()), CsrfFilter.class)
                .exceptionHandling(errors -> errors
                        .authenticationEntryPoint(SecurityConfiguration::unauthorized)
                        .accessDeniedHandler(forbidden()))
                .addFilterAfter(new JsonOnlyWrites(), AuthorizationFilter.class);
        if (properties.rateLimit().writes() > 0) {
            http.addFilterAfter(new WriteRateLimit(properties.rateLimit()), JsonOnlyWrites.class);
        }
        if (open) {
            if (properties.mode() == SecurityProperties.Mode.auto) {
                http.addFilterBefore(new LoopbackHostOnly(), CsrfFilter.class);
            }
            http.authorizeHttpRequests(requests -> requests.anyRequest().permitAll());
            return http.build();
        }
        if (jwt != null && environment.getProperty("spring.security.oauth2.resourceserver.jwt.audiences") == null) {
            LOG.warn("JWTs are accepted for any audience: a token your identity provider issued for another "
                    + "application, with a role, is accepted here too; set "
                    + "spring.security.oauth2.resourceserver.jwt.audiences to this API's audience");
        }
        List<AuthenticationProvider> providers = new ArrayList<>();
        if (!keys.isEmpty()) {
            providers.add(keys);
        }
        if (jwt != null) {
            JwtAuthenticationProvider jwts = new JwtAuthenticationProvider(jwt);
            jwts.setJwtAuthenticationConverter(new JwtRoles(properties.jwt()));
            providers.add(jwts);
        }
        AuthenticationManager manager = new ProviderManager(providers);
        http.oauth2ResourceServer(resource -> resource
                        .authenticationManagerResolver(request -> manager)
                        .authenticationEntryPoint(SecurityConfiguration::unauthorized)
                        .accessDeniedHandler(forbidden()))
                .authorizeHttpRequests(requests -> {
                    // Errors and async dispatches of a request that was already let in.
                    requests.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
                    requests.requestMatchers("/actuator/health", "/actuator/health/**").permitAll();
                    // the API's description (the contract, no data) and the page that shows it
                    requests.requestMatchers(HttpMethod.GET, DOCS).permitAll();
                    // the console's pages and files (no data: it calls the API with the user's credential)
                    requests.requestMatchers(HttpMethod.GET, CONSOLE).permitAll();
                    // who the caller is: for one without a credential only that one is needed
                    requests.requestMatchers(HttpMethod.GET, ME).permitAll();
                    EndpointRoles.authorize(requests);
                });
        return http.build();
    }

    static boolean loopback(String address) {
        if (address == null || address.isBlank()) {
            return false; // every interface
        }
        try {
            return InetAddress.getByName(address).isLoopbackAddress();
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static final BearerTokenAuthenticationEntryPoint BEARER = new BearerTokenAuthenticationEntryPoint();

    /** 401: the WWW-Authenticate header of RFC 6750 and a problem that says what to send. */
    private static void unauthorized(HttpServletRequest request, HttpServletResponse response,
                                     AuthenticationException failure) throws IOException {
        BEARER.commence(request, response, failure);
        String authorization = request.getHeader("Authorization");
        boolean presented = authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7);
        // 401, or 400 for a bearer header that is not one (RFC 6750), as the entry point set it
        ProblemResponses.write(response, response.getStatus() == 400 ? 400 : 401, presented
                ? "The credential is not valid (unknown or revoked API key, or a JWT that is expired, not yet valid or "
                        + "not signed by the configured issuer)"
                : "Authentication required: send Authorization: Bearer with an API key or a JWT", null);
    }

    /** 403: names the role the request needs and the roles the caller has; nothing about what exists. */
    private static AccessDeniedHandler forbidden() {
        return (request, response, denied) -> {
            var authentication = SecurityContextHolder.getContext().getAuthentication();
            List<String> roles = authentication == null ? List.of() : authentication.getAuthorities().stream()
                    .map(GrantedAuthority::getAuthority).filter(a -> a.startsWith("ROLE_"))
                    .map(a -> a.substring("ROLE_".length())).sorted().toList();
            ProblemResponses.write(response, HttpStatus.FORBIDDEN, request.getMethod() + " " + request.getRequestURI()
                    + " needs the role " + EndpointRoles.required(request).name() + " (or one that implies it); "
                    + Actors.current() + " has " + (roles.isEmpty() ? "no role" : String.join(", ", roles)), null);
        };
    }

    /**
     * Cross-site calls: refused (403 problem+json) unless their origin is one of
     * {@code agentflow.security.cors.allowed-origins}; same-site calls are not CORS and pass.
     */
    private static CorsFilter cors(SecurityProperties.Cors settings) {
        CorsConfiguration config = new CorsConfiguration();
        config.setAllowedOrigins(settings.allowedOrigins());
        config.setAllowedMethods(List.of("GET", "HEAD", "POST", "PATCH", "DELETE"));
        config.setAllowedHeaders(List.of("Authorization", "Content-Type", "Idempotency-Key", "Last-Event-ID"));
        config.setExposedHeaders(List.of("Location", "Retry-After"));
        config.setMaxAge(3600L);
        UrlBasedCorsConfigurationSource source = new UrlBasedCorsConfigurationSource();
        source.registerCorsConfiguration("/**", config);
        CorsFilter filter = new CorsFilter(source);
        filter.setCorsProcessor(new DefaultCorsProcessor() {
            @Override
            protected void rejectRequest(org.springframework.http.server.ServerHttpResponse response)
                    throws IOException {
                response.setStatusCode(HttpStatus.FORBIDDEN);
                response.getHeaders().setContentType(org.springframework.http.MediaType.APPLICATION_PROBLEM_JSON);
                response.getBody().write(ProblemResponses.bytes(403, "Cross-site calls are refused: this origin is not"
                        + " in agentflow.security.cors.allowed-origins", null));
                response.flush();
            }
        });
        return filter;
    }
}
