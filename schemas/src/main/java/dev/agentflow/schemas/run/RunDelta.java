package dev.agentflow.schemas.run;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * A piece of an agent's answer as it streams in, on the run-deltas topic (key runId): not an event
 * of record (the step's {@code StepCompleted} is), kept only briefly, for whoever watches the run.
 *
 * @param invocation which invocation of the attempt it comes from (an attempt invoked again after a
 *                   crash streams anew, numbered from 1 again)
 * @param seq  1, 2, 3 … within the invocation
 * @param kind {@link #TEXT} (a piece of the answer's text), {@link #TOOL_CALL} (a piece of a tool call:
 *             {@code tool} names it once known, {@code text} carries its arguments) or {@link #END}
 *             (the attempt's last delta, written before its result: {@code seq} is how many there were)
 */
public record RunDelta(String runId, int stepOrder, int attempt,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String invocation, long seq, String kind,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String text,
                       @JsonInclude(JsonInclude.Include.NON_NULL) String tool) {

    public static final String TEXT = "text";
    public static final String TOOL_CALL = "tool_call";
    public static final String END = "end";
    /** The most text one delta carries: a longer piece is split, so every record stays small. */
    public static final int MAX_TEXT_CHARS = 8 * 1024;

    public boolean end() {
        return END.equals(kind);
    }
}
