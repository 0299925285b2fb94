package dev.agentflow.web;

import java.util.List;
import org.springframework.http.HttpStatus;

/** A request the API refuses, answered as RFC 9457 problem+json by {@link ProblemHandler}. */
public class ApiException extends RuntimeException {

    private final HttpStatus status;
    private final List<FieldError> errors;

    public ApiException(HttpStatus status, String detail, List<FieldError> errors) {
        super(detail, null, false, false);
        this.status = status;
        this.errors = List.copyOf(errors);
    }

    public static ApiException badRequest(List<FieldError> errors) {
        String detail = errors.stream().map(e -> e.field() + ": " + e.message())
                .reduce((a, b) -> a + "; " + b).orElse("Bad request");
        return new ApiException(HttpStatus.BAD_REQUEST, detail, errors);
    }

    public static ApiException badRequest(String field, String message) {
        return badRequest(List.of(new FieldError(field, message)));
    }

    public static ApiException notFound(String field, String detail) {
        return new ApiException(HttpStatus.NOT_FOUND, detail, field == null ? List.of() : List.of(new FieldError(field, detail)));
    }

    /** 422: well-formed, but {@code field} cannot be applied. */
    public static ApiException unprocessable(String field, String detail) {
        return new ApiException(HttpStatus.UNPROCESSABLE_CONTENT, detail, List.of(new FieldError(field, detail)));
    }

    public HttpStatus status() {
        return status;
    }

    public List<FieldError> errors() {
        return errors;
    }
}
