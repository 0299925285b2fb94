package dev.agentflow.web;

import dev.agentflow.schemas.limits.Limits;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Semaphore;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * Refuses a request body over the limit with 413 problem+json before anything reads it, whether its
 * size is declared (Content-Length) or not (chunked). The limit follows the payload limit: twice
 * {@code agentflow.limits.max-payload-bytes} (room for JSON escapes) plus 64 KiB, unless
 * {@code agentflow.api.max-body-bytes} sets it. Bodies over 1 MiB are held in memory whole, so they
 * share a budget, {@code agentflow.api.max-body-bytes-in-flight} (default 256 MiB): a body that does
 * not fit while others are being taken is answered 429 (retry after a second). A chunked body, whose
 * size is not declared, counts as the largest allowed.
 */
@Component
public class BodyLimitFilter extends OncePerRequestFilter {

    /** A body over this size counts against {@code max-body-bytes-in-flight}. */
    static final long LARGE_BODY_BYTES = 1024 * 1024;

    private final long maxBytes;
    /** The budget of large bodies taken at once, in KiB. */
    private final Semaphore largeBodies;
    private final long budgetBytes;

    public BodyLimitFilter(Limits limits, @Value("${agentflow.api.max-body-bytes:0}") long configured,
                           @Value("${agentflow.api.max-body-bytes-in-flight:268435456}") long budgetBytes) {
        this.maxBytes = configured > 0 ? configured : defaultFor(limits);
        this.budgetBytes = budgetBytes;
        this.largeBodies = new Semaphore(kib(budgetBytes));
    }

    private static int kib(long bytes) {
        return (int) Math.min(Integer.MAX_VALUE, (bytes + 1023) / 1024);
    }

    /** The default body limit for these limits. */
    public static long defaultFor(Limits limits) {
        return 2 * limits.maxPayloadBytes() + 64 * 1024;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        long declared = request.getContentLengthLong();
        if (declared > maxBytes) {
            tooLarge(response);
            return;
        }
        boolean chunked = declared < 0 && request.getHeader("Transfer-Encoding") != null;
        if (declared > LARGE_BODY_BYTES || chunked) {
            int permits = Math.min(kib(chunked ? maxBytes : declared), kib(budgetBytes));
            if (!largeBodies.tryAcquire(permits)) {
                problem(response, HttpStatus.TOO_MANY_REQUESTS, "This instance is taking as many large request"
                        + " bodies as agentflow.api.max-body-bytes-in-flight (" + budgetBytes + " bytes) allows;"
                        + " retry later", null);
                return;
            }
            try {
                filterBody(request, response, chain, chunked);
            } finally {
                largeBodies.release(permits);
            }
            return;
        }
        chain.doFilter(request, response);
    }

    private void filterBody(HttpServletRequest request, HttpServletResponse response, FilterChain chain,
                            boolean chunked) throws ServletException, IOException {
        if (chunked) {
            byte[] body = readAtMost(request.getInputStream(), maxBytes + 1);
            if (body.length > maxBytes) {
                tooLarge(response);
                return;
            }
            chain.doFilter(new CachedBody(request, body), response);
            return;
        }
        chain.doFilter(request, response);
    }

    private static byte[] readAtMost(InputStream in, long limit) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        int n;
        while (out.size() < limit && (n = in.read(buffer, 0, (int) Math.min(buffer.length, limit - out.size()))) > 0) {
            out.write(buffer, 0, n);
        }
        return out.toByteArray();
    }

    private void tooLarge(HttpServletResponse response) throws IOException {
        response.setHeader("Connection", "close");
        problem(response, HttpStatus.CONTENT_TOO_LARGE, "The request body is larger than " + maxBytes + " bytes",
                new FieldError("body", "must be at most " + maxBytes + " bytes"));
    }

    private static void problem(HttpServletResponse response, HttpStatus status, String detail, FieldError error)
            throws IOException {
        ProblemResponses.write(response, status, detail, error);
    }

    private static final class CachedBody extends HttpServletRequestWrapper {
        private final byte[] body;

        CachedBody(HttpServletRequest request, byte[] body) {
            super(request);
            this.body = body;
        }

        @Override
        public int getContentLength() {
            return body.length;
        }

        @Override
        public long getContentLengthLong() {
            return body.length;
        }

        @Override
        public ServletInputStream getInputStream() {
            ByteArrayInputStream in = new ByteArrayInputStream(body);
            return new ServletInputStream() {
                @Override
                public boolean isFinished() {
                    return in.available() == 0;
                }

                @Override
                public boolean isReady() {
                    return true;
                }

                @Override
                public void setReadListener(ReadListener listener) {
                    throw new UnsupportedOperationException("synchronous reads only");
                }

                @Override
                public int read() {
                    return in.read();
                }

                @Override
                public int read(byte[] b, int off, int len) {
                    return in.read(b, off, len);
                }
            };
        }
    }
}
