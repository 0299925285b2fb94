package dev.agentflow.web.security;

import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/**
 * Who is calling, as the audit trail records it: {@code key:<name>} for an API key,
 * {@code jwt:<principal claim>} for a JWT, {@value #ANONYMOUS} when the API is open. Taken from
 * the verified credential only, never from anything else the caller sends.
 */
public final class Actors {

    public static final String ANONYMOUS = "anonymous";
    /** The longest actor recorded (a JWT's claim could be longer): events stay bounded. */
    public static final int MAX_LENGTH = 200;

    private Actors() {
    }

    public static String current() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken) {
            return ANONYMOUS;
        }
        String name = authentication.getName();
        return name.length() <= MAX_LENGTH ? name : name.substring(0, MAX_LENGTH);
    }
}
