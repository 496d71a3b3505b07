package dev.k8sebpf.agent.kubernetes;

/** Told which agents exist (MODE=scaler): each by its Pod's uid, with where its attempt stream listens. */
public interface AgentDirectory {
    void agentSeen(String uid, String podName, String host, int port);

    void agentGone(String uid);
}
