package dev.agentflow.api.workflow.domain;

import dev.agentflow.runtime.decider.Decider;
import dev.agentflow.runtime.decider.Decision;
import dev.agentflow.schemas.domain.Ids;
import dev.agentflow.schemas.envelope.Rejection;
import dev.agentflow.schemas.json.Json;
import dev.agentflow.schemas.limits.Limits;
import dev.agentflow.schemas.run.RunCommand.StartRun;
import dev.agentflow.schemas.workflow.StepDefinition;
import dev.agentflow.schemas.workflow.Steps;
import dev.agentflow.schemas.workflow.WorkflowCommand.AddStep;
import dev.agentflow.schemas.workflow.WorkflowCommand.CloneWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.CreateWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.DeleteWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.RemoveStep;
import dev.agentflow.schemas.workflow.WorkflowCommand.RunWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand.UpdateStep;
import dev.agentflow.schemas.workflow.WorkflowCommand.UpdateWorkflow;
import dev.agentflow.schemas.workflow.WorkflowCommand;
import dev.agentflow.schemas.workflow.WorkflowEvent.RunRequested;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepAdded;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepRemoved;
import dev.agentflow.schemas.workflow.WorkflowEvent.StepUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCloned;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowCreated;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowDeleted;
import dev.agentflow.schemas.workflow.WorkflowEvent.WorkflowUpdated;
import dev.agentflow.schemas.workflow.WorkflowEvent;
import java.time.Instant;
import java.util.List;

/** The workflow-definition aggregate: pure decide, evolve and react. */
public final class WorkflowDecider implements Decider<WorkflowCommand, WorkflowState, WorkflowEvent, FollowUp> {

    public static final String COPY_SUFFIX = " (Copy)";
    /** The longest name a workflow can have (a clone's name is cut to it). */
    public static final int MAX_NAME = 200;

    private final Limits limits;

    public WorkflowDecider(Limits limits) {
        this.limits = limits;
    }

    public WorkflowDecider() {
        this(Limits.DEFAULTS);
    }

    @Override
    public WorkflowState initialState() {
        return WorkflowState.INITIAL;
    }

    @Override
    public Decision<WorkflowEvent> decide(WorkflowCommand command, WorkflowState state, Instant now) {
        if (command instanceof CreateWorkflow c) {
            if (state.exists()) {
                return Decision.reject(Rejection.conflict("id", "Workflow " + c.workflowId() + " already exists"));
            }
            if (c.name() == null || c.name().isBlank()) {
                return Decision.reject(Rejection.unprocessable("name", "name must not be blank"));
            }
            List<StepDefinition> steps = Steps.renumber(c.steps());
            Rejection tooBig = checkDefinition(steps, limits, "steps");
            if (tooBig != null) {
                return Decision.reject(tooBig);
            }
            return Decision.accept(new WorkflowCreated(c.workflowId(), c.name(), c.description(), c.clonedFrom(),
                    steps));
        }
        if (!state.live()) {
            return Decision.reject(Rejection.notFound("workflowId", "Workflow " + command.workflowId() + " not found"));
        }
        if (command instanceof UpdateWorkflow c) {
            if (c.name() != null && c.name().isBlank()) {
                return Decision.reject(Rejection.unprocessable("name", "name must not be blank"));
            }
            String name = c.name() != null ? c.name() : state.name();
            String description = c.descriptionPresent() ? c.description() : state.description();
            return Decision.accept(new WorkflowUpdated(c.workflowId(), name, description));
        }
        if (command instanceof DeleteWorkflow c) {
            return Decision.accept(new WorkflowDeleted(c.workflowId()));
        }
        if (command instanceof AddStep c) {
            return addStep(c, state);
        }
        if (command instanceof RemoveStep c) {
            if (!Steps.contains(state.steps(), c.stepId())) {
                return Decision.reject(Rejection.notFound("stepId",
                        "Step " + c.stepId() + " not found in workflow " + c.workflowId()));
            }
            return Decision.accept(new StepRemoved(c.workflowId(), c.stepId()));
        }
        if (command instanceof UpdateStep c) {
            return updateStep(c, state);
        }
        if (command instanceof CloneWorkflow c) {
            return Decision.accept(new WorkflowCloned(c.workflowId(), c.cloneId()));
        }
        if (command instanceof RunWorkflow c) {
            if (state.steps().isEmpty()) {
                return Decision.reject(Rejection.unprocessable("steps",
                        "Workflow " + c.workflowId() + " has no steps to run; add a step first"));
            }
            // a workflow defined before the limits (or under larger ones) could make a run's records too large
            Rejection tooBig = checkDefinition(state.steps(), limits, "steps");
            if (tooBig != null) {
                return Decision.reject(tooBig);
            }
            return Decision.accept(new RunRequested(c.workflowId(), c.runId(), c.sessionId(), c.input(),
                    state.steps()));
        }
        throw new IllegalStateException("Unhandled workflow command " + command.getClass());
    }

    private Decision<WorkflowEvent> addStep(AddStep c, WorkflowState state) {
        int size = state.steps().size();
        int order = c.stepOrder() == null ? size + 1 : c.stepOrder();
        if (order < 1) {
            return Decision.reject(Rejection.unprocessable("stepOrder", "stepOrder must be 1 or more"));
        }
        if (order > size + 1) {
            return Decision.reject(Rejection.unprocessable("stepOrder", "stepOrder " + order
                    + " is beyond the end: the workflow has " + size + " step(s), so use 1.." + (size + 1)
                    + " or omit stepOrder to append"));
        }
        if (Steps.contains(state.steps(), c.stepId())) {
            return Decision.reject(Rejection.conflict("stepId", "Step " + c.stepId() + " already exists"));
        }
        StepDefinition step = new StepDefinition(c.stepId(), c.agentId(), c.action(), order, c.config());
        Rejection tooBig = checkDefinition(Steps.insert(state.steps(), step), limits, "action");
        if (tooBig != null) {
            return Decision.reject(tooBig);
        }
        return Decision.accept(new StepAdded(c.workflowId(), step));
    }

    private Decision<WorkflowEvent> updateStep(UpdateStep c, WorkflowState state) {
        StepDefinition current = Steps.find(state.steps(), c.stepId()).orElse(null);
        if (current == null) {
            return Decision.reject(Rejection.notFound("stepId",
                    "Step " + c.stepId() + " not found in workflow " + c.workflowId()));
        }
        int size = state.steps().size();
        int order = c.stepOrder() == null ? current.stepOrder() : c.stepOrder();
        if (order < 1) {
            return Decision.reject(Rejection.unprocessable("stepOrder", "stepOrder must be 1 or more"));
        }
        if (order > size) {
            return Decision.reject(Rejection.unprocessable("stepOrder", "stepOrder " + order
                    + " is beyond the end: the workflow has " + size + " step(s), so use 1.." + size));
        }
        StepDefinition step = new StepDefinition(current.id(),
                c.agentId() != null ? c.agentId() : current.agentId(),
                c.action() != null ? c.action() : current.action(), order,
                c.config() != null ? c.config() : current.config());
        Rejection tooBig = checkDefinition(Steps.replace(state.steps(), step), limits, "action");
        if (tooBig != null) {
            return Decision.reject(tooBig);
        }
        return Decision.accept(new StepUpdated(c.workflowId(), step));
    }

    /**
     * A workflow's steps are bounded in number and in size, so that every record carrying them (the
     * workflow's state and view, a run's snapshot and state) is bounded too.
     *
     * @return why the steps are refused, or null when they are within the limits
     */
    public static Rejection checkDefinition(List<StepDefinition> steps, Limits limits, String field) {
        if (steps.size() > limits.maxSteps()) {
            return Rejection.unprocessable("stepOrder", "A workflow has at most " + limits.maxSteps()
                    + " steps (agentflow.limits.max-steps)");
        }
        int bytes = Json.mapper().writeValueAsBytes(steps).length;
        if (bytes > limits.maxDefinitionBytes()) {
            return Rejection.unprocessable(field, "The workflow's steps would take " + bytes
                    + " bytes as JSON, over the limit of " + limits.maxDefinitionBytes()
                    + " bytes (agentflow.limits.max-definition-bytes)");
        }
        return null;
    }

    @Override
    public long version(WorkflowState state) {
        return state.version();
    }

    @Override
    public WorkflowState evolve(WorkflowState s, WorkflowEvent event) {
        long v = s.version() + 1;
        if (event instanceof WorkflowCreated e) {
            return new WorkflowState(v, true, false, e.name(), e.description(), e.steps());
        }
        if (event instanceof WorkflowUpdated e) {
            return new WorkflowState(v, s.exists(), s.deleted(), e.name(), e.description(), s.steps());
        }
        if (event instanceof WorkflowDeleted) {
            return new WorkflowState(v, s.exists(), true, s.name(), s.description(), List.of());
        }
        if (event instanceof StepAdded e) {
            return new WorkflowState(v, s.exists(), s.deleted(), s.name(), s.description(),
                    Steps.insert(s.steps(), e.step()));
        }
        if (event instanceof StepRemoved e) {
            return new WorkflowState(v, s.exists(), s.deleted(), s.name(), s.description(),
                    Steps.remove(s.steps(), e.stepId()));
        }
        if (event instanceof StepUpdated e) {
            return new WorkflowState(v, s.exists(), s.deleted(), s.name(), s.description(),
                    Steps.replace(s.steps(), e.step()));
        }
        if (event instanceof WorkflowCloned || event instanceof RunRequested) {
            return new WorkflowState(v, s.exists(), s.deleted(), s.name(), s.description(), s.steps());
        }
        throw new IllegalStateException("Unhandled workflow event " + event.getClass());
    }

    /**
     * Commands that follow from an event, addressed to other aggregates: a clone is created by a
     * {@link CreateWorkflow} keyed by the new id, carrying a copy of every step under new step ids;
     * a run is started by a {@link StartRun} keyed by the run id, carrying the steps' snapshot.
     *
     * @param state the state after the event
     */
    @Override
    public List<FollowUp> react(WorkflowState state, WorkflowEvent event) {
        if (event instanceof RunRequested e) {
            return List.of(new FollowUp.ToRun(new StartRun(e.runId(), e.workflowId(), e.sessionId(), e.input(),
                    e.steps())));
        }
        if (event instanceof WorkflowCloned e) {
            List<StepDefinition> copies = state.steps().stream()
                    .map(s -> new StepDefinition(Ids.derivedStepId(e.cloneId() + "/" + s.id()),
                            s.agentId(), s.action(), s.stepOrder(), s.config()))
                    .toList();
            String name = state.name() + COPY_SUFFIX;
            return List.of(new FollowUp.ToWorkflow(new CreateWorkflow(e.cloneId(),
                    name.length() <= MAX_NAME ? name : name.substring(0, MAX_NAME), state.description(),
                    e.workflowId(), copies)));
        }
        return List.of();
    }
}
