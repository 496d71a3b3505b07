package dev.k8sebpf.agent.scaler;

import dev.k8sebpf.agent.scaler.externalscaler.ExternalScalerGrpc;
import dev.k8sebpf.agent.scaler.externalscaler.GetMetricSpecResponse;
import dev.k8sebpf.agent.scaler.externalscaler.GetMetricsRequest;
import dev.k8sebpf.agent.scaler.externalscaler.GetMetricsResponse;
import dev.k8sebpf.agent.scaler.externalscaler.IsActiveResponse;
import dev.k8sebpf.agent.scaler.externalscaler.MetricSpec;
import dev.k8sebpf.agent.scaler.externalscaler.MetricValue;
import dev.k8sebpf.agent.scaler.externalscaler.ScaledObjectRef;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * KEDA's ExternalScaler over the agent's per-Service attempts. A stream tells KEDA {@code true} right
 * after the drain that brought a Service's first attempt (the drain runs every 100 ms, so that bounds the
 * delay), and {@code false} once the window has passed without attempts (checked every 100 ms). Every
 * stream write happens on the one evaluator thread, so writes to one stream never race.
 */
final class ExternalScalerService extends ExternalScalerGrpc.ExternalScalerImplBase {
    private static final long RECHECK_MILLIS = 100;

    private final ServiceActivity activity;
    private final ScheduledExecutorService evaluator;
    private final Set<Stream> streams = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean wakePending = new AtomicBoolean();

    /** One open StreamIsActive call and what it was last told. */
    private static final class Stream {
        final Trigger trigger;
        final ServerCallStreamObserver<IsActiveResponse> observer;
        Boolean told;

        Stream(Trigger trigger, ServerCallStreamObserver<IsActiveResponse> observer) {
            this.trigger = trigger;
            this.observer = observer;
        }
    }

    ExternalScalerService(ServiceActivity activity, ScheduledExecutorService evaluator) {
        this.activity = activity;
        this.evaluator = evaluator;
        activity.onAttempt(this::wake);
        evaluator.scheduleWithFixedDelay(this::evaluate, RECHECK_MILLIS, RECHECK_MILLIS, TimeUnit.MILLISECONDS);
    }

    /** From the event thread after an attempt: one evaluation soon, however many attempts the drain had. */
    private void wake() {
        if (wakePending.compareAndSet(false, true)) {
            evaluator.execute(() -> {
                wakePending.set(false);
                evaluate();
            });
        }
    }

    private void evaluate() {
        for (Stream stream : streams) {
            if (stream.observer.isCancelled()) {
                streams.remove(stream);
                continue;
            }
            boolean active = stream.trigger.active(activity);
            if (stream.told == null || stream.told != active) {
                stream.told = active;
                stream.observer.onNext(IsActiveResponse.newBuilder().setResult(active).build());
            }
        }
    }

    /** The call's trigger, or null after answering INVALID_ARGUMENT. */
    private static Trigger triggerOrError(ScaledObjectRef ref, StreamObserver<?> responses) {
        try {
            return Trigger.of(ref);
        } catch (StatusRuntimeException invalid) {
            responses.onError(invalid);
            return null;
        }
    }

    @Override
    public void isActive(ScaledObjectRef request, StreamObserver<IsActiveResponse> responses) {
        Trigger trigger = triggerOrError(request, responses);
        if (trigger == null) {
            return;
        }
        responses.onNext(IsActiveResponse.newBuilder().setResult(trigger.active(activity)).build());
        responses.onCompleted();
    }

    @Override
    public void streamIsActive(ScaledObjectRef request, StreamObserver<IsActiveResponse> responses) {
        Trigger trigger = triggerOrError(request, responses);
        if (trigger == null) {
            return;
        }
        var observer = (ServerCallStreamObserver<IsActiveResponse>) responses;
        var stream = new Stream(trigger, observer);
        observer.setOnCancelHandler(() -> streams.remove(stream));
        streams.add(stream);
        wake(); // the current state, written by the evaluator like every later one
    }

    @Override
    public void getMetricSpec(ScaledObjectRef request, StreamObserver<GetMetricSpecResponse> responses) {
        Trigger trigger = triggerOrError(request, responses);
        if (trigger == null) {
            return;
        }
        double target = trigger.targetAttemptsPerSecond();
        responses.onNext(GetMetricSpecResponse.newBuilder().addMetricSpecs(MetricSpec.newBuilder()
                .setMetricName(trigger.metricName())
                .setTargetSize(Math.max(1, Math.round(target)))
                .setTargetSizeFloat(target)).build());
        responses.onCompleted();
    }

    @Override
    public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> responses) {
        Trigger trigger = triggerOrError(request.getScaledObjectRef(), responses);
        if (trigger == null) {
            return;
        }
        double rate = trigger.rate(activity);
        String name = request.getMetricName().isEmpty() ? trigger.metricName() : request.getMetricName();
        responses.onNext(GetMetricsResponse.newBuilder().addMetricValues(MetricValue.newBuilder()
                .setMetricName(name)
                .setMetricValue(Math.round(rate))
                .setMetricValueFloat(rate)).build());
        responses.onCompleted();
    }
}
