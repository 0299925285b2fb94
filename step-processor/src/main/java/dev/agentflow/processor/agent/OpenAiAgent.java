package dev.agentflow.processor.agent;

import dev.agentflow.processor.agent.SessionHistory.Exchange;
import dev.agentflow.runtime.agents.AgentDefinition.ToolDefinition;
import dev.agentflow.runtime.agents.AgentDefinition;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.run.AgentOutcome;
import dev.agentflow.schemas.run.AgentRequest;
import dev.agentflow.schemas.run.ApprovalRequest;
import java.net.http.HttpClient;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * An agent behind any OpenAI-compatible Chat Completions endpoint (OpenAI, Ollama, vLLM, LM Studio,
 * llama.cpp). The conversation is the system prompt, the session's earlier exchanges as user and
 * assistant messages, then the step's action and input. While the model calls tools, each call is
 * POSTed to the tool's endpoint and its answer returned to the model, for at most {@code maxTurns}
 * model calls; a call of a tool that requires approval is not made: the run pauses instead, and the
 * operator's output becomes the step's output.
 */
final class OpenAiAgent extends ConfiguredAgent {

    private final String endpoint;
    private final Map<String, ToolDefinition> tools = new LinkedHashMap<>();
    /** The tools as every request declares them (OpenAI's function-tool format), built once. */
    private final ArrayNode declaredTools = Json.mapper().createArrayNode();

    OpenAiAgent(String id, AgentDefinition definition, HttpClient client, SessionHistory history, RateLimit rate,
                Deltas deltas) {
        super(id, definition, client, history, rate, deltas);
        this.endpoint = definition.baseUrl().replaceAll("/+$", "") + "/chat/completions";
        definition.tools().forEach(t -> {
            tools.put(t.name(), t);
            ObjectNode function = declaredTools.addObject().put("type", "function").putObject("function")
                    .put("name", t.name());
            if (t.description() != null) {
                function.put("description", t.description());
            }
            function.set("parameters", Json.mapper().valueToTree(t.parameters()));
        });
    }

    /** The whole tool loop runs inside the one concurrency slot. */
    @Override
    CompletableFuture<AgentOutcome> converse(AgentRequest request, List<Exchange> exchanges, Deltas.Stream stream) {
        return turn(messages(request, exchanges), 1, new StringBuilder(), stream);
    }

    /** The user message of a step: its action, then its input; a step without an action sends only its input. */
    static String userMessage(String action, String input) {
        if (action == null || action.isBlank()) {
            return input == null ? "" : input;
        }
        return input == null || input.isEmpty() ? action : action + "\n\nInput:\n" + input;
    }

    private ArrayNode messages(AgentRequest request, List<Exchange> exchanges) {
        ArrayNode messages = Json.mapper().createArrayNode();
        if (definition.systemPrompt() != null && !definition.systemPrompt().isBlank()) {
            messages.addObject().put("role", "system").put("content", definition.systemPrompt());
        }
        for (Exchange e : exchanges) {
            messages.addObject().put("role", "user").put("content", userMessage(e.action(), e.input()));
            messages.addObject().put("role", "assistant").put("content", e.output());
        }
        messages.addObject().put("role", "user").put("content", userMessage(request.action(), request.inputText()));
        return messages;
    }

    private CompletableFuture<AgentOutcome> turn(ArrayNode messages, int turn, StringBuilder reasoning,
                                                 Deltas.Stream stream) {
        if (turn > definition.maxTurns()) {
            return CompletableFuture.completedFuture(AgentOutcome.error(http.message("POST "
                    + AgentHttp.redact(endpoint), "the model was still calling tools after " + definition.maxTurns()
                    + " turns (max-turns)"), false));
        }
        ObjectNode body = Json.mapper().createObjectNode().put("model", definition.model());
        body.set("messages", messages);
        if (!declaredTools.isEmpty()) {
            body.set("tools", declaredTools);
        }
        if (!deltas.enabled()) {
            return http.post("chat completions", endpoint, body, true, Map.of())
                    .thenCompose(text -> answer(http.parse("chat completions", endpoint, text), messages, turn,
                            reasoning, stream));
        }
        body.put("stream", true);
        StreamedReply reply = new StreamedReply(stream);
        return http.postLines("chat completions", endpoint, body, true, Map.of(), reply::line)
                .thenCompose(done -> answer(reply.reply(), messages, turn, reasoning, stream));
    }

    /**
     * A streamed Chat Completions answer (Server-Sent Events of {@code chat.completion.chunk}s), put
     * together as the whole answer would have been, each piece streamed on as it comes: text as
     * {@code text} deltas, tool calls as {@code tool_call} deltas. An endpoint that answers whole
     * anyway (no {@code data:} lines) is read as a whole answer.
     */
    private final class StreamedReply {
        private final Deltas.Stream stream;
        private final StringBuilder content = new StringBuilder();
        private boolean hasContent;
        private final Map<Integer, ObjectNode> calls = new TreeMap<>();
        private final StringBuilder whole = new StringBuilder();
        private boolean events;
        /** Whether the stream said it is complete ({@code [DONE]}, or a chunk's {@code finish_reason}). */
        private boolean done;

        StreamedReply(Deltas.Stream stream) {
            this.stream = stream;
        }

        void line(String line) {
            if (line.startsWith("data:")) {
                events = true;
                String data = line.substring(5).trim();
                if (data.equals("[DONE]")) {
                    done = true;
                } else if (!data.isEmpty()) {
                    chunk(data);
                }
            } else if (!events && !line.startsWith(":") && !line.startsWith("event:") && !line.startsWith("id:")
                    && !line.startsWith("retry:")) {
                http.keepWhole(whole, line, "chat completions", endpoint);
            }
        }

        private void chunk(String data) {
            JsonNode chunk;
            try {
                chunk = Json.mapper().readTree(data);
            } catch (JacksonException e) {
                throw http.malformed("chat completions", endpoint, "a streamed chunk is not JSON");
            }
            if (chunk.has("error")) {
                // the provider gave up mid-answer (overloaded, say): another attempt may succeed
                throw http.failure("chat completions", endpoint, "the stream ended in an error: " + http.snippet(
                        chunk.path("error").path("message").asString(chunk.path("error").toString())), true);
            }
            if (chunk.path("choices").path(0).path("finish_reason").isString()) {
                done = true;
            }
            JsonNode delta = chunk.path("choices").path(0).path("delta");
            if (delta.path("content").isString()) {
                String piece = delta.path("content").asString();
                hasContent = true;
                content.append(piece);
                if (content.length() > http.maxOutputBytes()) { // characters: at least as many bytes
                    throw http.tooLarge("chat completions", endpoint, http.maxOutputBytes());
                }
                stream.text(piece);
            }
            for (JsonNode part : delta.path("tool_calls")) {
                ObjectNode call = calls.computeIfAbsent(part.path("index").asInt(calls.size()), i -> {
                    ObjectNode c = Json.mapper().createObjectNode().put("id", "").put("type", "function");
                    c.putObject("function").put("name", "").put("arguments", "");
                    return c;
                });
                if (part.path("id").isString()) {
                    call.put("id", part.path("id").asString());
                }
                ObjectNode function = (ObjectNode) call.get("function");
                JsonNode fn = part.path("function");
                String named = null;
                if (fn.path("name").isString() && !fn.path("name").asString().isEmpty()) {
                    named = function.path("name").asString() + fn.path("name").asString();
                    function.put("name", named);
                }
                String arguments = fn.path("arguments").isString() ? fn.path("arguments").asString() : "";
                String all = function.path("arguments").asString() + arguments;
                if (all.length() > http.wholeAnswerCap()) {
                    throw http.tooLarge("chat completions", endpoint, http.wholeAnswerCap());
                }
                function.put("arguments", all);
                stream.toolCall(named, arguments);
            }
        }

        /** The answer as the endpoint would have given it whole. */
        JsonNode reply() {
            if (!events) {
                return http.parse("chat completions", endpoint, whole.toString());
            }
            if (!done) {
                // cut off (the connection closed early): never a partial answer taken for a whole one
                throw http.failure("chat completions", endpoint, "the stream ended before the answer was complete",
                        true);
            }
            ObjectNode reply = Json.mapper().createObjectNode();
            ObjectNode message = reply.putArray("choices").addObject().putObject("message").put("role", "assistant");
            if (hasContent || calls.isEmpty()) {
                message.put("content", content.toString());
            } else {
                message.putNull("content");
            }
            if (!calls.isEmpty()) {
                message.putArray("tool_calls").addAll(calls.values());
            }
            return reply;
        }
    }

    private CompletableFuture<AgentOutcome> answer(JsonNode reply, ArrayNode messages, int turn,
                                                   StringBuilder reasoning, Deltas.Stream stream) {
        JsonNode message = reply.path("choices").path(0).path("message");
        if (!message.isObject()) {
            throw http.malformed("chat completions", endpoint, "no choices[0].message");
        }
        String content = message.path("content").isString() ? message.path("content").asString() : null;
        JsonNode calls = message.path("tool_calls");
        if (!calls.isArray() || calls.isEmpty()) {
            if (content == null) {
                throw http.malformed("chat completions", endpoint, "the message has neither content nor tool_calls");
            }
            return CompletableFuture.completedFuture(http.output("chat completions", endpoint, content));
        }
        if (content != null && !content.isBlank()) {
            reasoning.append(reasoning.length() == 0 ? "" : "\n").append(content);
        }
        for (JsonNode call : calls) {
            ToolDefinition tool = tools.get(call.path("function").path("name").asString(""));
            if (tool != null && tool.requiresApproval()) {
                return CompletableFuture.completedFuture(approval(tool, call, reasoning));
            }
        }
        ObjectNode assistant = messages.addObject().put("role", "assistant");
        assistant.set("content", message.path("content").isString() ? message.get("content") : null);
        assistant.set("tool_calls", calls);
        CompletableFuture<Void> done = CompletableFuture.completedFuture(null);
        for (JsonNode call : calls) {
            done = done.thenCompose(v -> callTool(call).thenAccept(result -> messages.addObject()
                    .put("role", "tool").put("tool_call_id", call.path("id").asString("")).put("content", result)));
        }
        return done.thenCompose(v -> turn(messages, turn + 1, reasoning, stream));
    }

    /** The tool's answer for the model: its endpoint's body, or why there is none. */
    private CompletableFuture<String> callTool(JsonNode call) {
        String name = call.path("function").path("name").asString("");
        ToolDefinition tool = tools.get(name);
        if (tool == null) {
            return CompletableFuture.completedFuture("error: there is no tool named '" + name + "'");
        }
        JsonNode arguments = arguments(call);
        if (arguments == null) {
            return CompletableFuture.completedFuture("error: the arguments are not a JSON object");
        }
        return http.post("tool " + name, tool.url(), arguments, false, Map.of());
    }

    private AgentOutcome approval(ToolDefinition tool, JsonNode call, StringBuilder reasoning) {
        JsonNode arguments = arguments(call);
        String raw = call.path("function").path("arguments").asString("");
        @SuppressWarnings("unchecked")
        Map<String, Object> values = arguments == null ? Map.of("arguments", raw)
                : Json.mapper().convertValue(arguments, Map.class);
        String reason = reasoning.length() > 0 ? reasoning.toString()
                : "The model wants to call " + tool.name() + ", which requires approval";
        String proposed = arguments == null ? raw : arguments.toString();
        AgentOutcome checked = http.output("chat completions", endpoint, proposed);
        return checked.error() != null ? checked
                : AgentOutcome.approval(ApprovalRequest.of(proposed, reason, tool.name(), values));
    }

    /** A call's arguments (a JSON object encoded as a string, per the protocol), or null when they are not. */
    private static JsonNode arguments(JsonNode call) {
        JsonNode raw = call.path("function").path("arguments");
        if (raw.isObject()) {
            return raw;
        }
        try {
            JsonNode parsed = Json.mapper().readTree(raw.asString(""));
            return parsed != null && parsed.isObject() ? parsed : null;
        } catch (JacksonException e) {
            return null;
        }
    }
}
