package dev.agentflow.api.web;

import org.springframework.core.io.ClassPathResource;
import org.springframework.core.io.Resource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Controller;
import org.springframework.web.bind.annotation.GetMapping;

/**
 * The operator console: every page of it is the same document ({@code static/console/index.html}),
 * whose script shows the page its URL names, so each page has a URL to share. Its scripts and
 * styles are static files under {@code /console/}, served as they are (no build step).
 */
@Controller
public class ConsoleController {

    private static final Resource INDEX = new ClassPathResource("static/console/index.html");

    /** Every page; the security chain lets everyone load them (SecurityConfiguration.CONSOLE: they hold no data). */
    @GetMapping({"/", "/workflows", "/workflows/**", "/runs", "/runs/**", "/inbox", "/agents", "/sign-in"})
    public ResponseEntity<Resource> page() {
        return ResponseEntity.ok().contentType(MediaType.TEXT_HTML).body(INDEX);
    }
}
