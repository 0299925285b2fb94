package dev.agentflow.web;

import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;

/**
 * Every error the API answers is RFC 9457 problem+json: {@code title}, {@code status},
 * {@code detail}, {@code instance} and, for field-level problems, {@code errors}
 * ([{field, message}]) and the same list as {@code invalidParams}, the name the Agent Manager's own
 * clients read; no {@code type}, which means about:blank. Never a stack trace.
 */
@RestControllerAdvice
public class ProblemHandler extends ResponseEntityExceptionHandler {

    private static final Logger LOG = LoggerFactory.getLogger(ProblemHandler.class);
    /** The field problems: {@code [{field, message}]}. */
    public static final String ERRORS = "errors";
    /** The same field problems, under the name the Agent Manager's clients read. */
    public static final String INVALID_PARAMS = "invalidParams";

    public static ProblemDetail problem(HttpStatusCode status, String detail, List<FieldError> errors) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        HttpStatus known = HttpStatus.resolve(status.value());
        problem.setTitle(known == null ? "Error" : known.getReasonPhrase());
        if (!errors.isEmpty()) {
            problem.setProperty(ERRORS, errors);
            problem.setProperty(INVALID_PARAMS, errors);
        }
        return problem;
    }

    @ExceptionHandler(ApiException.class)
    public ResponseEntity<ProblemDetail> handleApi(ApiException e) {
        ResponseEntity.BodyBuilder response = ResponseEntity.status(e.status())
                .contentType(MediaType.APPLICATION_PROBLEM_JSON);
        if (e.status() == HttpStatus.SERVICE_UNAVAILABLE || e.status() == HttpStatus.TOO_MANY_REQUESTS) {
            response.header(HttpHeaders.RETRY_AFTER, "1");
        }
        return response.body(problem(e.status(), e.getMessage(), e.errors()));
    }

    /** Anything else (Spring MVC's own exceptions are answered by the superclass's handlers). */
    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> handleUnexpected(Exception e) {
        LOG.error("Unexpected error", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error; see the server log", List.of()));
    }
}
