package dev.agentflow.web.security;

import dev.agentflow.web.ProblemResponses;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.RateLimiterRegistry;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * At most {@code agentflow.security.rate-limit.writes} writes per principal per
 * {@code agentflow.security.rate-limit.period} on this instance (Resilience4j's rate limiter, one
 * per principal); past it, 429 problem+json with {@code Retry-After} in whole seconds.
 */
final class WriteRateLimit extends OncePerRequestFilter {

    private final RateLimiterRegistry limiters;

    WriteRateLimit(SecurityProperties.RateLimit limit) {
        this.limiters = RateLimiterRegistry.of(RateLimiterConfig.custom()
                .limitForPeriod(limit.writes())
                .limitRefreshPeriod(limit.period())
                .timeoutDuration(Duration.ZERO)
                .build());
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (JsonOnlyWrites.isWrite(request.getMethod())) {
            RateLimiter limiter = limiters.rateLimiter(Actors.current());
            if (!limiter.acquirePermission()) {
                long nanos = limiter instanceof AtomicRateLimiter atomic
                        ? atomic.getDetailedMetrics().getNanosToWait() : 1_000_000_000L;
                response.setHeader("Retry-After", Long.toString(Math.max(1, (nanos + 999_999_999L) / 1_000_000_000L)));
                ProblemResponses.write(response, HttpStatus.TOO_MANY_REQUESTS, "Too many writes by "
                        + Actors.current() + ": at most " + limiter.getRateLimiterConfig().getLimitForPeriod()
                        + " per " + limiter.getRateLimiterConfig().getLimitRefreshPeriod() + "; retry later", null);
                return;
            }
        }
        chain.doFilter(request, response);
    }
}
