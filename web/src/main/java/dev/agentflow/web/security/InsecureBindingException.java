package dev.agentflow.web.security;

/** The API would listen beyond loopback with nobody checked. */
public final class InsecureBindingException extends RuntimeException {

    private final String address;

    public InsecureBindingException(String address) {
        super("The API would listen on " + address + " with no authentication configured");
        this.address = address;
    }

    public String address() {
        return address;
    }
}
