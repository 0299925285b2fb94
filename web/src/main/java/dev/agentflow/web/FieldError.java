package dev.agentflow.web;

/** One field-level problem of a request: the field (JSON name or query parameter) and what is wrong. */
public record FieldError(String field, String message) {
}
