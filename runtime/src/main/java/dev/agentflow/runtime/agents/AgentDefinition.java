package dev.agentflow.runtime.agents;

import dev.agentflow.schemas.agent.AgentDescriptor;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A configured agent, bound from {@code agentflow.agents.<id>}. Holds its secret (the API key), so it
 * never leaves the process: the API shows its {@link #descriptor(String) descriptor} instead.
 *
 * @param name           a human name (default: the id)
 * @param description    what it does
 * @param type           {@code openai} (an OpenAI-compatible Chat Completions endpoint) or {@code http}
 * @param model          the model (openai; default {@code agentflow.openai.model})
 * @param systemPrompt   the first message of every conversation (openai)
 * @param baseUrl        the API's base URL, {@code /chat/completions} is appended (openai; default
 *                       {@code agentflow.openai.base-url})
 * @param apiKey         sent as {@code Authorization: Bearer} (openai: default {@code agentflow.openai.api-key};
 *                       http: only when set)
 * @param url            where the invocation is POSTed (http)
 * @param timeout        of each HTTP call (default 60 s)
 * @param maxTurns       model calls per step before giving up on a tool loop (default 8)
 * @param maxConcurrency calls in flight to this agent; more queue (default 4)
 * @param historyLimit   earlier exchanges of the session sent along (default 20; 0 sends none)
 * @param maxOutputBytes the largest output accepted, in UTF-8 bytes (default 256 KiB)
 * @param tools          the tools the model may call (openai)
 * @param rateLimit      at most this many calls to its endpoint in any interval, e.g. {@code 100/1m} or
 *                       {@code 10/1s} (see {@link Rate}), shared by the step-processor instances; none when unset
 */
public record AgentDefinition(String name, String description, String type, String model, String systemPrompt,
                              String baseUrl, String apiKey, String url, Duration timeout, Integer maxTurns,
                              Integer maxConcurrency, Integer historyLimit, Integer maxOutputBytes,
                              List<ToolDefinition> tools, String rateLimit) {

    public static final String OPENAI = "openai";
    public static final String HTTP = "http";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);
    public static final int DEFAULT_MAX_TURNS = 8;
    public static final int DEFAULT_MAX_CONCURRENCY = 4;
    public static final int DEFAULT_HISTORY_LIMIT = 20;
    public static final int DEFAULT_MAX_OUTPUT_BYTES = 256 * 1024;

    public AgentDefinition {
        timeout = timeout == null ? DEFAULT_TIMEOUT : timeout;
        maxTurns = maxTurns == null ? DEFAULT_MAX_TURNS : maxTurns;
        maxConcurrency = maxConcurrency == null ? DEFAULT_MAX_CONCURRENCY : maxConcurrency;
        historyLimit = historyLimit == null ? DEFAULT_HISTORY_LIMIT : historyLimit;
        maxOutputBytes = maxOutputBytes == null ? DEFAULT_MAX_OUTPUT_BYTES : maxOutputBytes;
        tools = tools == null ? List.of() : List.copyOf(tools);
    }

    /**
     * A tool the model may call: its endpoint receives the call's arguments as a JSON POST and answers
     * with the result (any text) for the model.
     *
     * @param name             the function name the model sees
     * @param description      what it does, for the model
     * @param parameters       the arguments' JSON Schema (default: an object with any properties)
     * @param url              the endpoint that executes it
     * @param requiresApproval when true it is never called: the run pauses for an operator instead
     */
    public record ToolDefinition(String name, String description, Map<String, Object> parameters, String url,
                                 boolean requiresApproval) {

        public ToolDefinition {
            parameters = parameters == null ? Map.of("type", "object") : parameters;
        }
    }

    /** Where an openai agent takes what it does not set itself. */
    public record OpenAiDefaults(String baseUrl, String apiKey, String model) {

        /** Never the key: a record's default text would print it wherever this is logged. */
        @Override
        public String toString() {
            return "OpenAiDefaults[baseUrl=" + baseUrl + ", apiKey=" + masked(apiKey) + ", model=" + model + "]";
        }
    }

    /** Never the key: a record's default text would print it wherever a definition is logged. */
    @Override
    public String toString() {
        return "AgentDefinition[name=" + name + ", type=" + type + ", model=" + model + ", baseUrl=" + baseUrl
                + ", apiKey=" + masked(apiKey) + ", url=" + url + ", timeout=" + timeout + ", tools="
                + tools.stream().map(ToolDefinition::name).toList() + ", rateLimit=" + rateLimit + "]";
    }

    private static String masked(String secret) {
        return secret == null || secret.isEmpty() ? "(none)" : "(set)";
    }

    /** This definition with the openai defaults filled in (an http agent gets none: its key would leak). */
    public AgentDefinition withDefaults(String id, OpenAiDefaults defaults) {
        boolean openai = OPENAI.equals(type);
        return new AgentDefinition(blank(name) ? id : name, description, type,
                openai && blank(model) ? defaults.model() : model, systemPrompt,
                openai && blank(baseUrl) ? defaults.baseUrl() : baseUrl,
                openai && blank(apiKey) ? defaults.apiKey() : apiKey, url, timeout, maxTurns, maxConcurrency,
                historyLimit, maxOutputBytes, tools, rateLimit);
    }

    /** The {@link #rateLimit}, or null when there is none. */
    public Rate rate() {
        return blank(rateLimit) ? null : Rate.parse(rateLimit);
    }

    /**
     * A rate: at most {@code calls} calls in any {@code interval}. Written {@code <calls>/<interval>},
     * the interval as a number and a unit ({@code ms}, {@code s}, {@code m}, {@code h}; the number may
     * be left out for 1): {@code 100/1m}, {@code 10/s}, {@code 5/500ms}.
     */
    public record Rate(int calls, Duration interval) {

        private static final java.util.regex.Pattern FORMAT =
                java.util.regex.Pattern.compile("\\s*(\\d{1,9})\\s*/\\s*(\\d{0,9})\\s*(ms|s|m|h)\\s*");

        /** @throws IllegalArgumentException when {@code text} is not a rate */
        public static Rate parse(String text) {
            java.util.regex.Matcher m = FORMAT.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("'" + text + "' is not a rate: write <calls>/<interval>, e.g."
                        + " 100/1m or 10/1s");
            }
            long amount = m.group(2).isEmpty() ? 1 : Long.parseLong(m.group(2));
            Duration interval = switch (m.group(3)) {
                case "ms" -> Duration.ofMillis(amount);
                case "s" -> Duration.ofSeconds(amount);
                case "m" -> Duration.ofMinutes(amount);
                default -> Duration.ofHours(amount);
            };
            int calls = Integer.parseInt(m.group(1));
            if (calls < 1 || interval.isZero()) {
                throw new IllegalArgumentException("'" + text + "': a rate needs at least 1 call in an interval"
                        + " longer than 0");
            }
            return new Rate(calls, interval);
        }
    }

    /** What is wrong with this definition, one message per problem, each naming the agent. */
    public List<String> problems(String id) {
        List<String> problems = new ArrayList<>();
        String at = "agentflow.agents." + id;
        if (OPENAI.equals(type)) {
            if (blank(model)) {
                problems.add(at + ".model: an openai agent needs a model");
            }
            if (!httpUrl(baseUrl)) {
                problems.add(at + ".base-url: an openai agent needs an http(s) base URL");
            }
        } else if (HTTP.equals(type)) {
            if (!httpUrl(url)) {
                problems.add(at + ".url: an http agent needs an http(s) URL");
            }
            if (!tools.isEmpty()) {
                problems.add(at + ".tools: only openai agents call tools");
            }
        } else {
            problems.add(at + ".type: '" + type + "' is not an agent type (openai or http)");
        }
        if (timeout.isNegative() || timeout.isZero()) {
            problems.add(at + ".timeout: must be positive");
        }
        if (!blank(rateLimit)) {
            try {
                Rate.parse(rateLimit);
            } catch (IllegalArgumentException e) {
                problems.add(at + ".rate-limit: " + e.getMessage());
            }
        }
        if (maxTurns < 1 || maxConcurrency < 1 || historyLimit < 0 || maxOutputBytes < 1) {
            problems.add(at + ": max-turns, max-concurrency and max-output-bytes must be at least 1, "
                    + "history-limit at least 0");
        }
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tools.size(); i++) {
            ToolDefinition tool = tools.get(i);
            String toolAt = at + ".tools[" + i + "]";
            if (blank(tool.name()) || !tool.name().matches("[A-Za-z0-9_-]{1,64}")) {
                problems.add(toolAt + ".name: 1 to 64 letters, digits, '_' or '-'");
            } else if (!names.add(tool.name())) {
                problems.add(toolAt + ".name: '" + tool.name() + "' is declared twice");
            }
            if (!tool.requiresApproval() && !httpUrl(tool.url())) {
                problems.add(toolAt + ".url: a tool that needs no approval needs an http(s) URL");
            }
        }
        return problems;
    }

    /** What the API shows: never a URL or key. */
    public AgentDescriptor descriptor(String id) {
        return new AgentDescriptor(id, name, description, type, model,
                tools.stream().map(ToolDefinition::name).toList(),
                tools.stream().filter(ToolDefinition::requiresApproval).map(ToolDefinition::name).toList());
    }

    private static boolean httpUrl(String url) {
        if (blank(url)) {
            return false;
        }
        try {
            URI uri = URI.create(url);
            return ("http".equals(uri.getScheme()) || "https".equals(uri.getScheme())) && uri.getHost() != null;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }
}
