package dev.agentflow.projection.query;

import dev.agentflow.runtime.payload.PayloadStore;
import dev.agentflow.runtime.spring.ConditionalOnService;
import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.PathIds;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A payload stored by reference, whole, as UTF-8 text: what the {@code href} of a reference in a
 * run's detail, its event history or a live stream points at. Its ETag is its SHA-256. A payload
 * is held in memory while it is sent, so at most {@value #DOWNLOADS} are served at once (429 past it).
 */
@RestController
@ConditionalOnService({"projection-service", "command-api"})
public class PayloadController {

    static final int DOWNLOADS = 4;

    private final RunQueries runs;
    private final PayloadStore payloads;
    private final Semaphore downloads = new Semaphore(DOWNLOADS);

    public PayloadController(RunQueries runs, PayloadStore payloads) {
        this.runs = runs;
        this.payloads = payloads;
    }

    /** Written here, within the permit, so that no more than {@value #DOWNLOADS} payloads are held at once. */
    @GetMapping(PayloadLinks.PATH + "{payloadId}")
    public void payload(@PathVariable String payloadId, HttpServletResponse response) throws IOException {
        PayloadRef ref = (PathIds.plausible(payloadId) ? runs.payload(payloadId) : Optional.<PayloadRef>empty())
                .orElseThrow(() -> ApiException.notFound("payloadId", "Payload " + payloadId + " not found"));
        if (!downloads.tryAcquire()) {
            throw new ApiException(HttpStatus.TOO_MANY_REQUESTS, "This instance is serving " + DOWNLOADS
                    + " payloads already; retry later", List.of());
        }
        try {
            byte[] bytes = payloads.bytes(ref).get(60, TimeUnit.SECONDS);
            response.setStatus(HttpStatus.OK.value());
            response.setContentType(new MediaType(MediaType.TEXT_PLAIN, StandardCharsets.UTF_8).toString());
            response.setHeader(HttpHeaders.ETAG, "\"" + ref.sha256() + "\"");
            response.setContentLength(bytes.length);
            response.getOutputStream().write(bytes);
            response.flushBuffer();
        } catch (ExecutionException | TimeoutException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Cannot read payload " + payloadId + " now: "
                    + PayloadStore.cause(e).getMessage(), List.of());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Interrupted", List.of());
        } finally {
            downloads.release();
        }
    }
}
