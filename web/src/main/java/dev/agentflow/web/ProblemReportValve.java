package dev.agentflow.web;

import java.io.IOException;
import java.io.OutputStream;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.http.MediaType;

/**
 * Tomcat's error report for the errors it answers itself, before any servlet runs (an encoded
 * slash, {@code %00} or invalid UTF-8 in the path, CONNECT): problem+json instead of its HTML page.
 */
public class ProblemReportValve extends ErrorReportValve {

    public ProblemReportValve() {
        setShowReport(false);
        setShowServerInfo(false);
    }

    @Override
    protected void report(Request request, Response response, Throwable throwable) {
        int status = response.getStatus();
        if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
            return;
        }
        try {
            response.resetBuffer();
            response.setContentType(MediaType.APPLICATION_PROBLEM_JSON_VALUE);
            ProblemResponses.securityHeaders(response); // the filter chain never saw this request
            byte[] body = ProblemResponses.bytes(status, ProblemErrorController.detail(status, false), null);
            response.setContentLength(body.length);
            OutputStream out = response.getOutputStream();
            out.write(body);
            out.flush();
        } catch (IOException | IllegalStateException e) {
            // The client is gone or the response was committed: nothing more to say.
        }
    }
}
