package dev.agentflow.projection.query;

import dev.agentflow.schemas.payload.PayloadRef;
import dev.agentflow.schemas.payload.PayloadStore;
import dev.agentflow.web.ApiException;
import dev.agentflow.web.ConditionalOnService;
import dev.agentflow.web.PathIds;
import java.util.List;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

/**
 * A payload stored by reference, whole, as UTF-8 text: what the {@code href} of a reference in a
 * run's detail, its event history or a live stream points at. Its ETag is its SHA-256.
 */
@RestController
@ConditionalOnService({"projection-service", "command-api"})
public class PayloadController {

    private final RunQueries runs;
    private final PayloadStore payloads;

    public PayloadController(RunQueries runs, PayloadStore payloads) {
        this.runs = runs;
        this.payloads = payloads;
    }

    @GetMapping(PayloadLinks.PATH + "{payloadId}")
    public ResponseEntity<byte[]> payload(@PathVariable String payloadId) {
        PayloadRef ref = (PathIds.plausible(payloadId) ? runs.payload(payloadId) : java.util.Optional.<PayloadRef>empty())
                .orElseThrow(() -> ApiException.notFound("payloadId", "Payload " + payloadId + " not found"));
        byte[] bytes;
        try {
            bytes = payloads.bytes(ref);
        } catch (RuntimeException e) {
            throw new ApiException(HttpStatus.SERVICE_UNAVAILABLE, "Cannot read payload " + payloadId + " now: "
                    + e.getMessage(), List.of());
        }
        return ResponseEntity.ok().contentType(new MediaType(MediaType.TEXT_PLAIN, java.nio.charset.StandardCharsets.UTF_8))
                .eTag("\"" + ref.sha256() + "\"").body(bytes);
    }
}
