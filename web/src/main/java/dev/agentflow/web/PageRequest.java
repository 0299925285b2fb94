package dev.agentflow.web;

import java.util.ArrayList;
import java.util.List;

/** {@code ?page=0&size=20}, checked: page 0 or more, size 1..{@value #MAX_SIZE}. */
public record PageRequest(int page, int size) {

    public static final int DEFAULT_SIZE = 20;
    public static final int MAX_SIZE = 1000;

    public static PageRequest parse(String page, String size) {
        List<FieldError> errors = new ArrayList<>();
        int p = number("page", page, 0, 0, Integer.MAX_VALUE, errors);
        int s = number("size", size, DEFAULT_SIZE, 1, MAX_SIZE, errors);
        if (!errors.isEmpty()) {
            throw ApiException.badRequest(errors);
        }
        return new PageRequest(p, s);
    }

    private static int number(String name, String raw, int fallback, int min, int max, List<FieldError> errors) {
        if (raw == null || raw.isBlank()) {
            return fallback;
        }
        try {
            int value = Integer.parseInt(raw.trim());
            if (value < min || value > max) {
                errors.add(new FieldError(name, "must be between " + min + " and " + max));
            }
            return value;
        } catch (NumberFormatException e) {
            errors.add(new FieldError(name, "must be a whole number"));
            return fallback;
        }
    }
}
