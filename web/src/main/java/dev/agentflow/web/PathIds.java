package dev.agentflow.web;

import java.util.regex.Pattern;

/** Whether a path segment can be one of our ids; one that cannot is answered 404 without a command. */
public final class PathIds {

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

    private PathIds() {
    }

    public static boolean plausible(String id) {
        return ID.matcher(id).matches();
    }
}
