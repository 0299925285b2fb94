package dev.agentflow.standalone;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Each principal's writes are limited; past the limit a write is 429 with Retry-After and changes nothing. */
class RateLimitIT {

    @RegisterExtension
    static final InProcessSystem system = InProcessSystem.perClass("ratelimit",
            "--agentflow.security.rate-limit.writes=5", "--agentflow.security.rate-limit.period=1h");
    private static final Http http = system.http();

    @Test
    void pastTheLimitAWriteIs429WithRetryAfterAndReadsGoOn() {
        for (int i = 0; i < 5; i++) {
            assertThat(http.post("/api/v1/workflows", "{\"name\":\"w" + i + "\"}").status()).isEqualTo(201);
        }

        Http.Response refused = http.post("/api/v1/workflows", "{\"name\":\"one too many\"}");

        assertThat(refused.status()).isEqualTo(429);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(Long.parseLong(refused.header("Retry-After"))).isBetween(1L, 3600L);
        assertThat(refused.body().path("detail").asString()).contains("Too many writes by anonymous");
        assertThat(http.get("/api/v1/workflows?size=100").body().path("totalElements").asLong()).isEqualTo(5);
    }
}
