package dev.agentflow.web.security;

import dev.agentflow.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.Locale;
import java.util.Set;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * While the API is open on loopback (no credentials configured), it answers only requests addressed
 * to this machine by name ({@code Host: localhost}, {@code 127.0.0.1} or {@code [::1]}): a web page
 * whose own name was made to resolve to 127.0.0.1 (DNS rebinding) is same-origin to the browser, so
 * CORS does not stop it, but it sends its own name as the Host, and is refused here.
 */
final class LoopbackHostOnly extends OncePerRequestFilter {

    private static final Set<String> LOOPBACK = Set.of("localhost", "127.0.0.1", "[::1]", "::1");

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (!LOOPBACK.contains(host(request.getHeader("Host")))) {
            ProblemResponses.write(response, HttpStatus.FORBIDDEN, "While no credentials are configured the API "
                    + "answers only requests addressed to localhost, 127.0.0.1 or [::1] (docs/security.md)", null);
            return;
        }
        chain.doFilter(request, response);
    }

    /** The host of a Host header, without its port, in lower case; empty when absent. */
    static String host(String header) {
        if (header == null) {
            return "";
        }
        String host = header.trim().toLowerCase(Locale.ROOT);
        if (host.startsWith("[")) {
            int end = host.indexOf(']');
            return end < 0 ? host : host.substring(0, end + 1);
        }
        int colon = host.indexOf(':');
        return colon < 0 ? host : host.substring(0, colon);
    }
}
