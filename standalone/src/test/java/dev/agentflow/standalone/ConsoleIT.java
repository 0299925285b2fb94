package dev.agentflow.standalone;

import static com.microsoft.playwright.assertions.PlaywrightAssertions.assertThat;
import static org.assertj.core.api.Assertions.assertThat;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserContext;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Locator;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.assertions.PlaywrightAssertions;
import com.microsoft.playwright.options.AriaRole;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import dev.agentflow.web.security.ApiKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The operator console end to end: a real Chromium (Debian's {@code chromium}, driven by Playwright)
 * against the packaged jar on its embedded broker, with API keys configured, as an operator uses it:
 * sign in, build a workflow in the step editor, run it and watch it live, approve a paused run from
 * the inbox, retry a failed run and fork it, and sign in as a viewer who sees no write controls. Every
 * page visited must leave the browser's console free of errors. With {@code -Dagentflow.screenshots=DIR}
 * it takes a screenshot of each page at a laptop's and at a phone's width into DIR
 * ({@code ../docs/console} refreshes the README's).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleIT {

    private static final ApiKeys.NewKey ADMIN = ApiKeys.generate();
    private static final ApiKeys.NewKey VIEWER = ApiKeys.generate();
    /** Where the screenshots go; none are taken unless it is set (the build need not pay for them). */
    private static final Path SHOTS = System.getProperty("agentflow.screenshots") == null ? null
            : Path.of(System.getProperty("agentflow.screenshots"));
    /** The flaky agent answers 400 while this is set. */
    private static final AtomicBoolean FAILING = new AtomicBoolean(true);
    /** Its streamed answers stop after the first piece until this opens (the test has seen that piece). */
    private static final CountDownLatch GO_ON = new CountDownLatch(1);
    /** The gate agent answers once this opens (the test has seen its run RUNNING). */
    private static final CountDownLatch GATE = new CountDownLatch(1);
    /** The agent's calls: one may wait for {@link #GO_ON} while another comes. */
    private static final ExecutorService AGENT_THREADS = Executors.newCachedThreadPool();
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path data;

    private static HttpServer agent;
    private static StandaloneProcess system;
    private static Playwright playwright;
    private static Browser browser;
    private static String base;
    private static Http admin;

    private final List<String> consoleErrors = new CopyOnWriteArrayList<>();
    private BrowserContext context;

    @BeforeAll
    static void start() throws IOException {
        agent = flakyAgent();
        system = new StandaloneProcess(data, ApiKeyArgs.with(List.of(new ApiKeyArgs.Key("ops", ADMIN, "admin"),
                        new ApiKeyArgs.Key("auditor", VIEWER, "viewer")),
                "--agentflow.agents[flaky].type=http",
                "--agentflow.agents[flaky].name=Flaky reviewer",
                "--agentflow.agents[flaky].url=http://127.0.0.1:" + agent.getAddress().getPort() + "/review",
                "--agentflow.agents[gate].type=http",
                "--agentflow.agents[gate].name=Gate",
                "--agentflow.agents[gate].url=http://127.0.0.1:" + agent.getAddress().getPort() + "/gate"));
        system.launch(); // the browser starts while the system does
        playwright = Playwright.create(new Playwright.CreateOptions()
                .setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
        browser = playwright.chromium().launch(new BrowserType.LaunchOptions()
                .setExecutablePath(chromium()).setHeadless(true)
                // this machine's network is closed: no background connections, no QUIC
                .setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                        "--disable-background-networking", "--disable-component-update", "--disable-sync")));
        PlaywrightAssertions.setDefaultAssertionTimeout(30_000);
        system.awaitUp();
        base = "http://127.0.0.1:" + system.httpPort();
        admin = system.http().withHeader("Authorization", "Bearer " + ADMIN.key());
        if (SHOTS != null) {
            Files.createDirectories(SHOTS);
        }
    }

    @AfterAll
    static void stop() {
        GO_ON.countDown(); // no agent call left waiting on the test
        GATE.countDown();
        if (browser != null) {
            browser.close();
        }
        if (playwright != null) {
            playwright.close();
        }
        if (system != null) {
            system.close();
        }
        if (agent != null) {
            agent.stop(0);
        }
        AGENT_THREADS.shutdownNow();
    }

    @AfterEach
    void noConsoleErrors() {
        if (context != null) {
            context.close();
        }
        assertThat(consoleErrors).as("errors in the browser's console").isEmpty();
    }

    @Test
    @Order(1)
    void signInThenBuildAWorkflowInTheStepEditorAndWatchItsRunComplete() {
        Page page = newPage(null);
        page.navigate(base + "/");
        assertThat(page).hasURL(Pattern.compile("/sign-in\\?next=%2F$"));
        shot(page, "sign-in");
        page.getByLabel("API key or token").fill(ADMIN.key());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Workflows"))).isVisible();
        assertThat(page.locator("#who")).containsText("key:ops");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("New workflow")).click();
        Locator create = page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("New workflow"));
        create.getByLabel("Name").fill("Console pipeline");
        create.getByLabel("Description").fill("Three steps, built in the console");
        create.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Create")).click();
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Console pipeline")))
                .isVisible();
        assertThat(page).hasURL(Pattern.compile("/workflows/wf-[\\w-]+$"));

        addStep(page, "template", "first({{input}})", "");
        addStep(page, "gate", "wait", "{\"maxAttempts\": 1}");
        addStep(page, "template", "third({{input}})", "");
        assertThat(page.locator("ol.steps > li")).hasCount(3);
        // reorder: the third step up, above the gate
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Move step 3 up")).click();
        assertThat(page.locator("li[aria-label='Step 2'] select[name=agentId]")).hasValue("template");
        assertThat(page.locator("li[aria-label='Step 2'] textarea[name=action]")).hasValue("third({{input}})");
        assertThat(page.locator("li[aria-label='Step 3'] select[name=agentId]")).hasValue("gate");
        assertThat(page.locator("li[aria-label='Step 3'] textarea[name=config]")).hasValue("{\"maxAttempts\":1}");
        shot(page, "workflow");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Versions")).click();
        // the last change moved step 3 up: the template moved to position 2, the gate to 3
        assertThat(page.locator("table.diff")).containsText("position 3");
        assertThat(page.locator("table.diff")).containsText("moved");
        shot(page, "versions");
        page.goBack();

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Run").setExact(true)).click();
        page.getByLabel("Input").fill("hello");
        page.getByLabel("Idempotency key (optional)").fill("console-1");
        shot(page, "run-form");
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Start run")).click();
        assertThat(page).hasURL(Pattern.compile("/runs/wr-[\\w-]+$"));
        page.evaluate("window.__samePage = true");
        // the gate holds step 3 until the page has shown the run RUNNING; then COMPLETED, without a reload
        assertThat(page.locator("#run-status")).hasText("RUNNING");
        assertThat(page.locator("li[aria-label='Step 2']")).containsText("COMPLETED");
        shot(page, "run-live");
        GATE.countDown();
        assertThat(page.locator("#run-status")).hasText("COMPLETED");
        assertThat(page.evaluate("window.__samePage === true")).isEqualTo(true);
        assertThat(page.getByLabel("Run output")).hasText("gated(third(first(hello)))");
        assertThat(page.locator("table.events")).containsText("RunCompleted");
        assertThat(page.locator("table.events")).containsText("key:ops");
        shot(page, "run");

        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Runs").setExact(true)).first().click();
        assertThat(page.locator("table tbody tr").first()).containsText("COMPLETED");
        assertThat(page.locator("table tbody tr").first()).containsText("Console pipeline");
        Locator filter = page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("Filter the runs"));
        filter.getByLabel("Status").selectOption("FAILED");
        filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show")).click();
        assertThat(page).hasURL(Pattern.compile("/runs\\?status=FAILED$"));
        assertThat(page.getByText("No failed runs.")).isVisible();
        filter = page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("Filter the runs"));
        filter.getByLabel("Status").selectOption("COMPLETED");
        filter.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Show")).click();
        assertThat(page.locator("table tbody tr")).hasCount(1);
        shot(page, "runs");

        page.navigate(base + "/workflows?q=console");
        assertThat(page.locator("table tbody tr")).hasCount(1);
        shot(page, "workflows");
        page.navigate(base + "/agents");
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName(
                Pattern.compile("^Flaky reviewer")))).isVisible();
        shot(page, "agents");
    }

    @Test
    @Order(2)
    void aPausedRunWaitsInTheInboxAndGoesOnWithTheEditedOutput() {
        String workflow = workflow("Approval pipeline",
                "{\"agentId\":\"template\",\"action\":\"draft({{input}})\"}",
                "{\"agentId\":\"human_approval\",\"action\":\"Check the draft before it goes out\"}",
                "{\"agentId\":\"delay\",\"config\":{\"delayMs\":1500}}",
                "{\"agentId\":\"template\",\"action\":\"final({{input}})\"}");
        String run = start(workflow, "news");
        String rejected = start(workflow, "gossip");
        Page page = newPage(ADMIN.key());
        page.navigate(base + "/workflows");
        // the badge counts them, on every page
        assertThat(page.locator("#inbox-badge")).hasText("2");
        page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName(Pattern.compile("^Inbox"))).click();
        Locator item = page.locator("li[aria-label='Run " + run + "']");
        assertThat(item).containsText("Check the draft before it goes out");
        assertThat(item.getByLabel("Output to continue with")).hasValue("draft(news)");
        shot(page, "inbox");
        item.getByLabel("Output to continue with").fill("draft(news), approved with edits");
        item.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Approve")).click();
        assertThat(page.locator("#inbox-badge")).hasText("1");
        // the other one is rejected, saying why
        page.locator("li[aria-label='Run " + rejected + "']").getByRole(AriaRole.BUTTON,
                new Locator.GetByRoleOptions().setName("Reject")).click();
        Locator dialog = page.getByRole(AriaRole.DIALOG);
        dialog.getByLabel("Reason (optional)").fill("Not news");
        dialog.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Reject")).click();
        assertThat(page.locator("#inbox-badge")).isHidden();
        assertThat(page.getByText("Nothing waits for approval.")).isVisible();
        page.navigate(base + "/runs/" + rejected);
        assertThat(page.locator("#run-status")).hasText("CANCELLED");
        assertThat(page.locator("dl.meta").first()).containsText("Not news");

        page.navigate(base + "/runs/" + run);
        Locator step2 = page.locator("li[aria-label='Step 2']");
        assertThat(step2).containsText("approved by key:ops");
        assertThat(page.getByLabel("Step 3 input")).hasText("draft(news), approved with edits");
        assertThat(page.locator("#run-status")).hasText("COMPLETED");
        assertThat(page.getByLabel("Run output")).hasText("final(draft(news), approved with edits)");
        assertThat(page.locator("table.events")).containsText("RunResumed");
    }

    @Test
    @Order(3)
    void aFailedStepShowsItsErrorAndIsRetriedThenForkedFromStep2() {
        String workflow = workflow("Review pipeline",
                "{\"agentId\":\"template\",\"action\":\"text({{input}})\"}",
                "{\"agentId\":\"flaky\",\"action\":\"review\",\"config\":{\"maxAttempts\":1}}",
                "{\"agentId\":\"template\",\"action\":\"done({{input}})\"}");
        FAILING.set(true);
        String run = start(workflow, "draft");
        Page page = newPage(ADMIN.key());
        page.navigate(base + "/runs/" + run);
        assertThat(page.locator("#run-status")).hasText("FAILED");
        Locator step2 = page.locator("li[aria-label='Step 2']");
        assertThat(step2.locator("[role=alert]")).containsText("the reviewer is out to lunch");
        shot(page, "run-failed");

        FAILING.set(false);
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Retry")).click();
        // the agent's answer appears as it streams: its first piece, while the step still runs
        assertThat(page.locator("li[aria-label='Step 2'] pre[data-stream]")).hasText("reviewed(");
        assertThat(page.locator("#run-status")).hasText("RUNNING");
        shot(page, "run-streaming");
        GO_ON.countDown();
        assertThat(page.locator("#run-status")).hasText("COMPLETED");
        assertThat(page.getByLabel("Run output")).hasText("done(reviewed(text(draft)))");
        assertThat(page.locator("table.events")).containsText("RunRetried");

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Fork…")).click();
        Locator fork = page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("Fork the run"));
        fork.getByLabel("From step").selectOption("2");
        assertThat(fork.getByLabel("Input of that step")).hasValue("text(draft)");
        fork.getByLabel("Input of that step").fill("a better text");
        fork.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Start fork")).click();
        assertThat(page).not().hasURL(Pattern.compile("/runs/" + run + "$"));
        assertThat(page.locator("#run-status")).hasText("COMPLETED");
        assertThat(page.locator("li[aria-label='Step 1']")).containsText("reused from");
        assertThat(page.getByLabel("Step 2 input")).hasText("a better text");
        assertThat(page.getByLabel("Run output")).hasText("done(reviewed(a better text))");
        assertThat(page.locator("dl.meta")).containsText("Forked from");
    }

    @Test
    @Order(4)
    void aViewerSeesNoWriteControlsAndTheApiRefusesTheirWrites() {
        String workflow = workflow("Viewer's view", "{\"agentId\":\"human_approval\",\"action\":\"ok?\"}");
        String run = start(workflow, "x");
        Page page = newPage(null);
        page.navigate(base + "/workflows/" + workflow);
        assertThat(page).hasURL(Pattern.compile("/sign-in\\?next="));
        page.getByLabel("API key or token").fill(VIEWER.key());
        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign in")).click();
        // back where the viewer was going
        assertThat(page.getByRole(AriaRole.HEADING, new Page.GetByRoleOptions().setName("Viewer's view"))).isVisible();
        assertThat(page.locator("#who")).containsText("key:auditor (viewer)");
        for (String control : List.of("Clone", "Delete", "Add step", "Save")) {
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(control))).hasCount(0);
        }
        assertThat(page.getByRole(AriaRole.LINK, new Page.GetByRoleOptions().setName("Run").setExact(true)))
                .hasCount(0);
        assertThat(page.locator("textarea, select")).hasCount(0);

        page.navigate(base + "/runs/" + run);
        assertThat(page.locator("#run-status")).hasText("PAUSED");
        for (String control : List.of("Approve", "Reject", "Cancel run", "Retry", "Fork…")) {
            assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName(control))).hasCount(0);
        }
        page.navigate(base + "/inbox");
        assertThat(page.locator("li[aria-label='Run " + run + "']")).containsText("Operators approve or reject it.");
        assertThat(page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Approve"))).hasCount(0);

        // and the API refuses the viewer's writes whatever the page shows
        Http viewer = system.http().withHeader("Authorization", "Bearer " + VIEWER.key());
        assertThat(viewer.post("/api/v1/workflows/runs/" + run + "/resume", "{\"output\":\"x\"}").status())
                .isEqualTo(403);
        assertThat(viewer.post("/api/v1/workflows", "{\"name\":\"x\"}").status()).isEqualTo(403);
        assertThat(viewer.post("/api/v1/workflows/" + workflow + "/run", "{\"input\":\"x\"}").status())
                .isEqualTo(403);

        page.getByRole(AriaRole.BUTTON, new Page.GetByRoleOptions().setName("Sign out")).click();
        assertThat(page).hasURL(Pattern.compile("/sign-in$"));
        page.navigate(base + "/inbox");
        assertThat(page).hasURL(Pattern.compile("/sign-in\\?next=%2Finbox$"));
    }

    private Page newPage(String credential) {
        context = browser.newContext(new Browser.NewContextOptions().setViewportSize(1280, 800));
        if (credential != null) {
            context.addInitScript("sessionStorage.setItem('agentflow.credential', '" + credential + "')");
        }
        Page page = context.newPage();
        page.onConsoleMessage(message -> {
            if ("error".equals(message.type())) {
                consoleErrors.add(page.url() + ": " + message.text());
            }
        });
        page.onPageError(error -> consoleErrors.add(page.url() + ": " + error));
        return page;
    }

    private static void addStep(Page page, String agentId, String action, String config) {
        int before = page.locator("ol.steps > li").count();
        Locator form = page.getByRole(AriaRole.FORM, new Page.GetByRoleOptions().setName("Add a step"));
        form.getByLabel("Agent").selectOption(agentId);
        form.getByLabel("Action").fill(action);
        form.getByLabel("Config (JSON)").fill(config);
        form.getByRole(AriaRole.BUTTON, new Locator.GetByRoleOptions().setName("Add step")).click();
        assertThat(page.locator("ol.steps > li")).hasCount(before + 1);
    }

    /**
     * The page as it is, at a laptop's width and at a phone's (when screenshots are asked for); and,
     * always, a check that each of its form controls has a label a screen reader reads out.
     */
    private static void shot(Page page, String name) {
        assertThat((List<?>) page.evaluate("() => [...document.querySelectorAll('input, select, textarea')]"
                + ".filter(c => c.type !== 'hidden' && c.labels.length === 0 && !c.getAttribute('aria-label'))"
                + ".map(c => c.outerHTML)")).as("form controls without a label on " + name).isEmpty();
        if (SHOTS == null) {
            return;
        }
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + "-laptop.png")).setFullPage(true));
        page.setViewportSize(390, 844);
        settled(page);
        page.screenshot(new Page.ScreenshotOptions().setPath(SHOTS.resolve(name + "-phone.png")).setFullPage(true));
        page.setViewportSize(1280, 800);
        settled(page);
    }

    /** Once the page has laid itself out and painted at its new size (two animation frames). */
    private static void settled(Page page) {
        page.evaluate("() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))");
    }

    private static String workflow(String name, String... steps) {
        Http.Response created = admin.post("/api/v1/workflows", "{\"name\":\"" + name + "\"}");
        assertThat(created.status()).isEqualTo(201);
        String id = created.body().get("id").asString();
        for (String step : steps) {
            assertThat(admin.post("/api/v1/workflows/" + id + "/steps", step).status()).isEqualTo(201);
        }
        return id;
    }

    private static String start(String workflow, String input) {
        Http.Response started = admin.post("/api/v1/workflows/" + workflow + "/run", "{\"input\":\"" + input + "\"}");
        assertThat(started.status()).isEqualTo(202);
        JsonNode body = started.body();
        return body.get("runId").asString();
    }

    /**
     * An http agent that answers 400 while {@link #FAILING}, else streams {@code reviewed(<input>)}
     * in JSON lines: its first piece, then (once {@link #GO_ON} opens) the rest and the whole output.
     */
    private static HttpServer flakyAgent() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(AGENT_THREADS);
        server.createContext("/gate", agent((input, exchange) -> {
            if (GATE.await(60, TimeUnit.SECONDS)) { // else no answer: the attempt fails, and the test with it
                respond(exchange, 200, Map.of("output", "gated(" + input + ")"));
            }
        }));
        server.createContext("/review", agent((input, exchange) -> {
            if (FAILING.get()) {
                respond(exchange, 400, Map.of("error", "the reviewer is out to lunch"));
                return;
            }
            exchange.getResponseHeaders().add("Content-Type", "application/x-ndjson");
            exchange.sendResponseHeaders(200, 0);
            try (OutputStream out = exchange.getResponseBody()) {
                line(out, Map.of("delta", "reviewed("));
                if (GO_ON.await(60, TimeUnit.SECONDS)) { // else no whole answer: the attempt fails
                    line(out, Map.of("delta", input + ")"));
                    line(out, Map.of("output", "reviewed(" + input + ")"));
                }
            }
        }));
        server.start();
        return server;
    }

    /** How a test agent answers the {@code input} of a call. */
    private interface Answer {
        void to(String input, HttpExchange exchange) throws IOException, InterruptedException;
    }

    /** A handler that reads the call's input and answers it. */
    private static HttpHandler agent(Answer answer) {
        return exchange -> {
            try (exchange) {
                answer.to(JSON.readTree(exchange.getRequestBody().readAllBytes()).get("input").asString(), exchange);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        };
    }

    private static void respond(HttpExchange exchange, int status, Map<String, String> json) throws IOException {
        byte[] bytes = JSON.writeValueAsBytes(json);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static void line(OutputStream out, Map<String, String> json) throws IOException {
        out.write((JSON.writeValueAsString(json) + "\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    /**
     * Debian's {@code chromium} ({@code .ci/run} installs it when missing, while Maven builds: then
     * {@code AGENTFLOW_CHROMIUM_INSTALLING} names the file that says how the install ended, which
     * this waits for), or the browser {@code AGENTFLOW_CHROMIUM} names. Playwright downloads none.
     */
    private static Path chromium() throws IOException {
        String installing = System.getenv("AGENTFLOW_CHROMIUM_INSTALLING");
        if (installing != null) {
            Path result = Path.of(installing);
            Awaitility.await("the install of chromium (.ci/run)").atMost(Duration.ofMinutes(10))
                    .pollInterval(Duration.ofSeconds(1)).until(() -> Files.exists(result));
            String outcome = Files.readString(result).strip();
            if (!outcome.equals("installed")) {
                throw new IllegalStateException("apt-get could not install chromium: " + outcome);
            }
        }
        String named = System.getenv("AGENTFLOW_CHROMIUM");
        for (String candidate : named != null ? List.of(named)
                : List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")) {
            if (Files.isExecutable(Path.of(candidate))) {
                return Path.of(candidate);
            }
        }
        throw new IllegalStateException("No Chromium: install Debian's (apt-get install chromium; .ci/run does) or "
                + "set AGENTFLOW_CHROMIUM to a Chromium or Chrome executable");
    }
}
