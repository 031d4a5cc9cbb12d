package dev.dataaction.retry.store;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Typed;

import io.smallrye.mutiny.Uni;

/** The settings of one process alone, with the memory store; lost on restart, as its retries are. */
@ApplicationScoped
@Typed(InMemoryControlStore.class)
public class InMemoryControlStore implements ControlStore {

    private TrafficSettings settings = TrafficSettings.NONE;

    @Override
    public synchronized Uni<TrafficSettings> settings() {
        return Uni.createFrom().item(settings);
    }

    @Override
    public synchronized Uni<Void> setServiceLimits(TrafficSettings.Limits limits) {
        settings = new TrafficSettings(limits, settings.actions());
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Void> setActionLimits(String actionId, TrafficSettings.Limits limits) {
        return change(actionId, control -> new TrafficSettings.ActionControl(control.paused(), control.pauseReason(),
                limits));
    }

    @Override
    public Uni<Void> pause(String actionId, String reason) {
        return change(actionId, control -> new TrafficSettings.ActionControl(true, reason, control.limits()));
    }

    @Override
    public Uni<Void> resume(String actionId) {
        return change(actionId, control -> new TrafficSettings.ActionControl(false, null, control.limits()));
    }

    /** Nothing is handed back: the one process wakes the retries it holds itself. */
    @Override
    public Uni<Void> releaseUnpaused(Set<String> paused) {
        return Uni.createFrom().voidItem();
    }

    @Override
    public Uni<Share> share() {
        return Uni.createFrom().item(Share.ALONE);
    }

    private synchronized Uni<Void> change(String actionId, UnaryOperator<TrafficSettings.ActionControl> change) {
        Map<String, TrafficSettings.ActionControl> actions = new HashMap<>(settings.actions());
        actions.put(actionId, change.apply(settings.action(actionId)));
        settings = new TrafficSettings(settings.service(), Map.copyOf(actions));
        return Uni.createFrom().voidItem();
    }
}
