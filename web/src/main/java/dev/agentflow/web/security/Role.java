package dev.agentflow.web.security;

import java.util.Locale;
import java.util.Optional;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.access.hierarchicalroles.RoleHierarchyImpl;

/**
 * What a principal may do. {@code viewer} reads (views, event history, streams); {@code operator}
 * also starts, resumes and cancels runs; {@code editor} also creates, changes, clones and deletes
 * workflows, but runs nothing; {@code admin} may do everything.
 */
public enum Role {
    viewer, operator, editor, admin;

    /** The Spring Security authority of the role. */
    public String authority() {
        return "ROLE_" + name();
    }

    /** admin implies editor and operator; each of those implies viewer. */
    public static RoleHierarchy hierarchy() {
        return RoleHierarchyImpl.withDefaultRolePrefix()
                .role(admin.name()).implies(editor.name(), operator.name())
                .role(editor.name()).implies(viewer.name())
                .role(operator.name()).implies(viewer.name())
                .build();
    }

    /** The role of that name, in any case. */
    public static Optional<Role> parse(String name) {
        if (name == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(valueOf(name.trim().toLowerCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
