package dev.agentflow.schemas.workflow;

import java.util.ArrayList;
import java.util.List;

/**
 * The step-list rules every fold of workflow events applies (the decider's state and every view):
 * insert at a position and shift the rest down; remove and number the rest 1..n again.
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
