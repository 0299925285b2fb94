package dev.agentflow.runtime.kafka;

import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.MemberDescription;
import org.apache.kafka.clients.admin.MemberToRemove;
import org.apache.kafka.clients.admin.RemoveMembersFromConsumerGroupOptions;
import org.apache.kafka.common.errors.GroupIdNotFoundException;

/**
 * A stopped or killed process stays a static member of its consumer group until its session times
 * out, and a group with members takes no committed offsets from outside and cannot be deleted.
 * Before either, a process removes the members its own instance left.
 */
public final class StaticMembers {

    private static final long WAIT_SECONDS = 30;

    private StaticMembers() {
    }

    /**
     * Removes the group's members whose static id starts with {@code ownPrefix} (this instance's,
     * whatever thread number Kafka Streams appended); none when the group does not exist.
     *
     * @return how many were removed
     * @throws IllegalStateException when the group has any other member: another process runs it,
     *                               and nothing is changed
     */
    public static int removeOwn(Admin admin, String group, String ownPrefix)
            throws ExecutionException, InterruptedException, TimeoutException {
        List<MemberDescription> members;
        try {
            members = List.copyOf(admin.describeConsumerGroups(List.of(group)).all()
                    .get(WAIT_SECONDS, TimeUnit.SECONDS).get(group).members());
        } catch (ExecutionException e) {
            if (e.getCause() instanceof GroupIdNotFoundException) {
                return 0;
            }
            throw e;
        }
        List<String> others = members.stream()
                .filter(m -> m.groupInstanceId().filter(id -> id.startsWith(ownPrefix)).isEmpty())
                .map(m -> m.groupInstanceId().orElse(m.consumerId()) + " on " + m.host()).toList();
        if (!others.isEmpty()) {
            throw new IllegalStateException("Consumer group " + group + " has members of another process " + others
                    + ": is the service still running?");
        }
        if (!members.isEmpty()) {
            admin.removeMembersFromConsumerGroup(group, new RemoveMembersFromConsumerGroupOptions(members.stream()
                    .map(m -> new MemberToRemove(m.groupInstanceId().orElseThrow())).toList()))
                    .all().get(WAIT_SECONDS, TimeUnit.SECONDS);
        }
        return members.size();
    }
}
