package dev.agentflow.web;

import dev.agentflow.schemas.json.Json;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;

/**
 * problem+json written straight to a servlet response, for the answers given before Spring MVC
 * runs (filters, the security chain, Tomcat's own errors): the same layout as {@link ProblemHandler}'s.
 */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    /** The problem as a map, in the order the API answers it. */
    public static Map<String, Object> body(int status, String detail, FieldError error) {
        HttpStatus known = HttpStatus.resolve(status);
        Map<String, Object> problem = new LinkedHashMap<>();
        problem.put("type", "about:blank");
        problem.put("title", known == null ? "Error" : known.getReasonPhrase());
        problem.put("status", status);
        problem.put("detail", detail);
        if (error != null) {
            problem.put(ProblemHandler.ERRORS, List.of(error));
            problem.put(ProblemHandler.INVALID_PARAMS, List.of(error));
        }
        return problem;
    }

    /** Writes the problem (and {@code Retry-After: 1} on 429 and 503 unless one is set). */
    public static void write(HttpServletResponse response, HttpStatus status, String detail, FieldError error)
            throws IOException {
        write(response, status.value(), detail, error);
    }

    public static void write(HttpServletResponse response, int status, String detail, FieldError error)
            throws IOException {
        response.setStatus(status);
        response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
        if ((status == 429 || status == 503) && response.getHeader("Retry-After") == null) {
            response.setHeader("Retry-After", "1");
        }
        response.getOutputStream().write(bytes(status, detail, error));
    }

    /**
     * The security headers Spring Security gives every answer it sees, for the answers it does not
     * (Tomcat's own errors, error dispatches); a header already set is kept.
     */
    public static void securityHeaders(HttpServletResponse response) {
        Map.of("X-Content-Type-Options", "nosniff",
                "X-Frame-Options", "DENY",
                "Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'",
                "Referrer-Policy", "no-referrer",
                "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate").forEach((name, value) -> {
                    if (!response.containsHeader(name)) {
                        response.setHeader(name, value);
                    }
                });
    }

    public static byte[] bytes(int status, String detail, FieldError error) {
        return Json.mapper().writeValueAsBytes(body(status, detail, error));
    }
}
