/** step-processor: the run decider, its topology and the agent workers (built by the runs issue). */
package dev.agentflow.processor;
