package dev.agentflow.api.web;

import dev.agentflow.web.security.Actors;
import dev.agentflow.web.security.AuthenticationRequirement;
import dev.agentflow.web.security.Role;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.springframework.security.access.hierarchicalroles.RoleHierarchy;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Who the caller is and what their roles let them do ({@code GET /api/v1/me}): what the console
 * asks to decide between its sign-in page and which controls to show. Open to everyone: a caller
 * without a credential learns only whether one is needed. The API still checks every call by itself.
 */
@RestController
public class MeController {

    /**
     * @param actor          the principal as the audit trail records it ({@code anonymous} without a credential)
     * @param roles          every role the caller has, the implied ones included (all when the API is open;
     *                       none for a caller without a credential when one is required)
     * @param authentication {@code required} when credentials are configured, {@code off} when the API is open
     */
    public record Me(String actor, List<String> roles, String authentication) {
    }

    private final RoleHierarchy hierarchy;
    private final AuthenticationRequirement requirement;

    public MeController(RoleHierarchy hierarchy, AuthenticationRequirement requirement) {
        this.hierarchy = hierarchy;
        this.requirement = requirement;
    }

    @GetMapping("/api/v1/me")
    public Me me() {
        Authentication authentication = SecurityContextHolder.getContext().getAuthentication();
        if (authentication == null || authentication instanceof AnonymousAuthenticationToken) {
            return requirement.required() ? new Me(Actors.ANONYMOUS, List.of(), "required")
                    : new Me(Actors.ANONYMOUS, Arrays.stream(Role.values()).map(Role::name).toList(), "off");
        }
        Set<String> reachable = hierarchy.getReachableGrantedAuthorities(authentication.getAuthorities()).stream()
                .map(GrantedAuthority::getAuthority).collect(Collectors.toSet());
        List<String> roles = Arrays.stream(Role.values()).filter(role -> reachable.contains(role.authority()))
                .map(Role::name).toList();
        return new Me(Actors.current(), roles, "required");
    }
}
