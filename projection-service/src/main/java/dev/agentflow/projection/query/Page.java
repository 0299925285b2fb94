package dev.agentflow.projection.query;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list, in the reference's shape ({@code content}, {@code totalElements},
 * {@code totalPages}), plus the page number and size asked for.
 */
public record Page<T>(List<T> content, long totalElements, int totalPages, int page, int size) {

    public static <T> Page<T> of(List<T> all, int page, int size) {
        int from = (int) Math.min((long) page * size, all.size());
        int to = Math.min(from + size, all.size());
        int totalPages = (int) ((all.size() + (long) size - 1) / size);
        return new Page<>(List.copyOf(all.subList(from, to)), all.size(), totalPages, page, size);
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(content.stream().map(mapper).toList(), totalElements, totalPages, page, size);
    }
}
