package dev.agentflow.projection.query;

import java.util.List;
import java.util.function.Function;

/**
 * One page of a list in both shapes clients read: the reference's ({@code content},
 * {@code totalElements}, {@code totalPages}) and Spring Data's page envelope ({@code page}:
 * {@code size}, {@code number}, {@code totalElements}, {@code totalPages}), which the Agent Manager's
 * own web UI and SDK read. The two totals always agree.
 */
public record Page<T>(List<T> content, long totalElements, int totalPages, Metadata page) {

    /** Spring Data's {@code PagedModel.PageMetadata}: the page asked for and the totals. */
    public record Metadata(int size, int number, long totalElements, int totalPages) {
    }

    public static <T> Page<T> of(List<T> all, int page, int size) {
        int from = (int) Math.min((long) page * size, all.size());
        int to = Math.min(from + size, all.size());
        int totalPages = (int) ((all.size() + (long) size - 1) / size);
        return new Page<>(List.copyOf(all.subList(from, to)), all.size(), totalPages,
                new Metadata(size, page, all.size(), totalPages));
    }

    /** A page read from an index: its content and the list's total. */
    public static <T> Page<T> of(List<T> content, long total, int page, int size) {
        int totalPages = (int) ((total + size - 1) / size);
        return new Page<>(List.copyOf(content), total, totalPages, new Metadata(size, page, total, totalPages));
    }

    public <R> Page<R> map(Function<T, R> mapper) {
        return new Page<>(content.stream().map(mapper).toList(), totalElements, totalPages, page);
    }
}
