package dev.agentflow.web.security;

import dev.agentflow.web.FieldError;
import dev.agentflow.web.ProblemResponses;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.http.HttpStatus;
import org.springframework.http.InvalidMediaTypeException;
import org.springframework.http.MediaType;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Writes take JSON only: a body must be {@code application/json} (or {@code application/*+json}),
 * and a write without a body must not declare another type. A page on another site can send
 * {@code text/plain}, form and multipart bodies without a CORS preflight; it cannot send JSON, so
 * it cannot write here. Anything else is answered 415 before anything reads the body.
 */
public final class JsonOnlyWrites extends OncePerRequestFilter {

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (isWrite(request.getMethod()) && !acceptable(request)) {
            ProblemResponses.write(response, HttpStatus.UNSUPPORTED_MEDIA_TYPE, "Writes take a JSON body: send "
                    + "Content-Type: application/json", new FieldError("Content-Type", "must be application/json"));
            return;
        }
        chain.doFilter(request, response);
    }

    static boolean isWrite(String method) {
        return !("GET".equals(method) || "HEAD".equals(method) || "OPTIONS".equals(method) || "TRACE".equals(method));
    }

    private static boolean acceptable(HttpServletRequest request) {
        String type = request.getContentType();
        if (type == null || type.isBlank()) {
            // No declared type: only without a body.
            return request.getContentLengthLong() <= 0 && request.getHeader("Transfer-Encoding") == null;
        }
        try {
            MediaType media = MediaType.parseMediaType(type);
            return MediaType.APPLICATION_JSON.includes(media) && !media.isWildcardSubtype()
                    || "application".equals(media.getType()) && media.getSubtype().endsWith("+json");
        } catch (InvalidMediaTypeException e) {
            return false;
        }
    }
}
