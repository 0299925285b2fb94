package dev.agentflow.web.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.mock.web.MockFilterChain;
import org.springframework.mock.web.MockHttpServletRequest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.context.SecurityContextHolder;

class WriteRateLimitTest {

    private final WriteRateLimit limit = new WriteRateLimit(new SecurityProperties.RateLimit(2, Duration.ofHours(1)));

    @AfterEach
    void clear() {
        SecurityContextHolder.clearContext();
    }

    private MockHttpServletResponse call(String principal, String method) throws Exception {
        SecurityContextHolder.getContext().setAuthentication(
                UsernamePasswordAuthenticationToken.authenticated(principal, null, List.of()));
        MockHttpServletResponse response = new MockHttpServletResponse();
        limit.doFilter(new MockHttpServletRequest(method, "/api/v1/workflows"), response, new MockFilterChain());
        return response;
    }

    @Test
    void eachPrincipalHasItsOwnBudgetOfWritesAndReadsAreNotCounted() throws Exception {
        assertThat(call("key:a", "POST").getStatus()).isEqualTo(200);
        assertThat(call("key:a", "PATCH").getStatus()).isEqualTo(200);
        assertThat(call("key:a", "GET").getStatus()).isEqualTo(200);

        MockHttpServletResponse refused = call("key:a", "DELETE");

        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getContentType()).isEqualTo("application/problem+json");
        assertThat(Long.parseLong(refused.getHeader("Retry-After"))).isBetween(1L, 3600L);
        assertThat(refused.getContentAsString()).contains("Too many writes by key:a");
        assertThat(call("key:b", "POST").getStatus()).as("another principal").isEqualTo(200);
    }
}
