package dev.agentflow.web;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.security.web.firewall.RequestRejectedException;
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

    /**
     * What Spring Security's firewall refuses when a controller reads it (a header value with
     * characters other than visible ASCII, say): 400 naming the header, not a 500.
     */
    @ExceptionHandler(RequestRejectedException.class)
    public ResponseEntity<ProblemDetail> handleRejected(RequestRejectedException e) {
        Matcher header = REJECTED_HEADER.matcher(String.valueOf(e.getMessage()));
        boolean named = header.find();
        String field = named ? header.group(1).strip() : "request";
        String detail = named ? "Header " + field + " holds characters that are not allowed (only visible ASCII)"
                : "The request holds characters or parts that are not allowed";
        return handleApi(new ApiException(HttpStatus.BAD_REQUEST, detail, List.of(new FieldError(field, detail))));
    }

    private static final Pattern REJECTED_HEADER = Pattern.compile("header: \"([^\"]{1,100})\"");

    /** Anything else (Spring MVC's own exceptions are answered by the superclass's handlers). */
    @ExceptionHandler(Exception.class)
    public ResponseEntity<ProblemDetail> handleUnexpected(Exception e) {
        LOG.error("Unexpected error", e);
        return ResponseEntity.status(HttpStatus.INTERNAL_SERVER_ERROR).contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .body(problem(HttpStatus.INTERNAL_SERVER_ERROR, "Internal error; see the server log", List.of()));
    }
}
