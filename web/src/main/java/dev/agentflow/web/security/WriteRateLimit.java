package dev.agentflow.web.security;

import dev.agentflow.web.ProblemResponses;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.ratelimiter.internal.AtomicRateLimiter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.http.HttpStatus;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * At most {@code agentflow.security.rate-limit.writes} writes per principal per
 * {@code agentflow.security.rate-limit.period} on this instance (Resilience4j's rate limiter, one
 * per principal, {@value #MAX_PRINCIPALS} principals at most); past it, 429 problem+json with
 * {@code Retry-After} in whole seconds.
 */
final class WriteRateLimit extends OncePerRequestFilter {

    /** Principals remembered at most; past it they start afresh (people from a JWT issuer are unbounded). */
    static final int MAX_PRINCIPALS = 10_000;

    private final RateLimiterConfig config;
    private final Map<String, RateLimiter> limiters = new ConcurrentHashMap<>();

    WriteRateLimit(SecurityProperties.RateLimit limit) {
        this.config = RateLimiterConfig.custom()
                .limitForPeriod(limit.writes())
                .limitRefreshPeriod(limit.period())
                .timeoutDuration(Duration.ZERO)
                .build();
    }

    private RateLimiter limiterOf(String principal) {
        if (limiters.size() >= MAX_PRINCIPALS && !limiters.containsKey(principal)) {
            limiters.clear();
        }
        return limiters.computeIfAbsent(principal, name -> RateLimiter.of(name, config));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        if (JsonOnlyWrites.isWrite(request.getMethod())) {
            RateLimiter limiter = limiterOf(Actors.current());
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
