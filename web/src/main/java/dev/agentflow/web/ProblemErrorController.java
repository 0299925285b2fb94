package dev.agentflow.web;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Errors that reach the servlet container's error page (a status set outside Spring MVC, TRACE) are
 * answered as problem+json too, in place of Spring Boot's default JSON or HTML. The page itself is
 * not an endpoint: asked for directly, it is not found. Never the exception or its message.
 */
@RestController
public class ProblemErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    public void error(HttpServletRequest request, HttpServletResponse response) throws IOException {
        Object code = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE);
        int status = code instanceof Integer value && value >= 400 ? value : HttpStatus.NOT_FOUND.value();
        response.resetBuffer();
        ProblemResponses.securityHeaders(response); // Spring Security's header writer skips error dispatches
        ProblemResponses.write(response, status, detail(status, code == null), null);
    }

    /** What the status means to a caller, without anything from the server's inside. */
    static String detail(int status, boolean direct) {
        if (direct) {
            return "No such resource";
        }
        return switch (status) {
            case 400 -> "The request is malformed (its path, query or headers cannot be read)";
            case 404 -> "No such resource";
            case 405 -> "This method is not allowed here";
            case 413 -> "The request is too large";
            case 415 -> "Unsupported content type";
            case 501 -> "This method is not supported";
            default -> {
                HttpStatus known = HttpStatus.resolve(status);
                yield known == null ? "Error " + status : known.getReasonPhrase();
            }
        };
    }
}
