package dev.agentflow.schemas.workflow;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The step-list rules every fold of workflow events applies (the decider's state and every view):
 * insert at a position and shift the rest down; remove and number the rest 1..n again; replace a
 * step, moving it to its new position.
 */
public final class Steps {

    private Steps() {
    }

    public static List<StepDefinition> insert(List<StepDefinition> steps, StepDefinition step) {
        List<StepDefinition> result = new ArrayList<>(steps);
        int index = Math.max(0, Math.min(step.stepOrder() - 1, result.size()));
        result.add(index, step);
        return renumber(result);
    }

    public static List<StepDefinition> remove(List<StepDefinition> steps, String stepId) {
        List<StepDefinition> result = new ArrayList<>(steps);
        result.removeIf(s -> s.id().equals(stepId));
        return renumber(result);
    }

    /** The step with {@code step.id()} replaced by {@code step}, at {@code step.stepOrder()}. */
    public static List<StepDefinition> replace(List<StepDefinition> steps, StepDefinition step) {
        return insert(remove(steps, step.id()), step);
    }

    public static Optional<StepDefinition> find(List<StepDefinition> steps, String stepId) {
        return steps.stream().filter(s -> s.id().equals(stepId)).findFirst();
    }

    public static List<StepDefinition> renumber(List<StepDefinition> steps) {
        List<StepDefinition> result = new ArrayList<>(steps.size());
        for (int i = 0; i < steps.size(); i++) {
            result.add(steps.get(i).atOrder(i + 1));
        }
        return List.copyOf(result);
    }

    public static boolean contains(List<StepDefinition> steps, String stepId) {
        return steps.stream().anyMatch(s -> s.id().equals(stepId));
    }
}
