package dev.agentflow.web;

import static org.assertj.core.api.Assertions.assertThat;

import dev.agentflow.schemas.limits.Limits;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;

class BodyLimitFilterTest {

    private static MockHttpServletRequest post(int bytes) {
        MockHttpServletRequest request = new MockHttpServletRequest("POST", "/api/v1/workflows/wf-1/run");
        request.setContent(new byte[bytes]);
        request.setContentType("application/json");
        return request;
    }

    @Test
    void theDefaultLimitFollowsThePayloadLimitAndABodyOverTheLimitIs413() throws Exception {
        assertThat(BodyLimitFilter.defaultFor(Limits.DEFAULTS)).isEqualTo(2L * 33_554_432 + 65_536);
        BodyLimitFilter filter = new BodyLimitFilter(Limits.DEFAULTS, 1000, 1 << 28);

        MockHttpServletResponse over = new MockHttpServletResponse();
        filter.doFilter(post(1001), over, new MockFilterChain());
        MockHttpServletResponse at = new MockHttpServletResponse();
        filter.doFilter(post(1000), at, new MockFilterChain());

        assertThat(at.getStatus()).isEqualTo(200);
        assertThat(over.getStatus()).isEqualTo(413);
        assertThat(over.getContentType()).isEqualTo("application/problem+json");
        assertThat(over.getContentAsString()).contains("\"field\":\"body\"");
    }

    @Test
    void largeBodiesPastTheirBudgetAre429WhileSmallOnesPass() throws Exception {
        BodyLimitFilter filter = new BodyLimitFilter(Limits.DEFAULTS, 0, 5 * 1024 * 1024);
        CountDownLatch holding = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            List<Future<Integer>> held = new ArrayList<>();
            for (int i = 0; i < 2; i++) {
                held.add(pool.submit(() -> {
                    MockHttpServletResponse response = new MockHttpServletResponse();
                    filter.doFilter(post(2 * 1024 * 1024), response, (req, res) -> {
                        holding.countDown();
                        try {
                            release.await(10, TimeUnit.SECONDS);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
                    return response.getStatus();
                }));
            }
            assertThat(holding.await(10, TimeUnit.SECONDS)).isTrue();

            MockHttpServletResponse third = new MockHttpServletResponse();
            filter.doFilter(post(2 * 1024 * 1024), third, new MockFilterChain());
            MockHttpServletResponse small = new MockHttpServletResponse();
            filter.doFilter(post(1000), small, new MockFilterChain());

            assertThat(third.getStatus()).isEqualTo(429);
            assertThat(third.getHeader("Retry-After")).isEqualTo("1");
            assertThat(third.getContentAsString()).contains("agentflow.api.max-body-bytes-in-flight");
            assertThat(small.getStatus()).isEqualTo(200);
            release.countDown();
            for (Future<Integer> f : held) {
                assertThat(f.get(10, TimeUnit.SECONDS)).isEqualTo(200);
            }
            MockHttpServletResponse after = new MockHttpServletResponse();
            filter.doFilter(post(2 * 1024 * 1024), after, new MockFilterChain());
            assertThat(after.getStatus()).as("the places are given back").isEqualTo(200);
        } finally {
            pool.shutdownNow();
        }
    }
}
