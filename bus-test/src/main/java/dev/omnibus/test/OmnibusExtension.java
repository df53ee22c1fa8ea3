package dev.omnibus.test;

import dev.omnibus.EventBus;
import dev.omnibus.EventType;
import dev.omnibus.memory.InMemoryBroker;
import dev.omnibus.spi.ServerConfig;
import java.lang.reflect.Executable;
import java.lang.reflect.Method;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolutionException;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;

/**
 * A JUnit 5 extension that gives each test a fresh {@link InMemoryBroker} and an {@link EventBus} on it, records what
 * the bus does in a {@link BusRecorder}, and closes the bus after the test. Test methods, {@code @BeforeEach} and
 * {@code @AfterEach} methods take them as parameters: {@code EventBus}, {@code InMemoryBroker}, {@code BusRecorder},
 * {@code TestClock}.
 *
 * <p>With {@code @ExtendWith(OmnibusExtension.class)} or {@link OmnibusTest @OmnibusTest}, or with settings:
 *
 * <pre>{@code
 * {@literal @}RegisterExtension
 * static final OmnibusExtension OMNIBUS = OmnibusExtension.builder()
 *     .asyncApi("asyncapi.yaml")                      // the service's document: its channels and payload schemas
 *     .source(URI.create("/billing"))
 *     .register(ORDER_PLACED, ORDER_PAID)
 *     .configure(bus -> bus.retry(RetryPolicy.attempts(3)))
 *     .build();
 * }</pre>
 *
 * <p>Retries wait on the test's {@link TestClock} (not real time) in a test that takes a {@code TestClock} parameter
 * (in the test method or a {@code @BeforeEach} method), or in every test with {@link Builder#retriesOnTestClock()}.
 *
 * <p>The bus is the extension's first interceptor, then what {@link Builder#configure} adds, then the document's
 * (payload validation). With {@link Builder#server(Supplier)} the bus runs on another broker instead (the in-JVM Kafka
 * of {@code dev.omnibus:bus-test-kafka}, say); there is then no {@code InMemoryBroker} parameter.
 *
 * <p>Thread-safe: one instance serves the tests of its class, each with its own broker and bus, also in parallel.
 */
public final class OmnibusExtension implements BeforeEachCallback, AfterEachCallback, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(OmnibusExtension.class);
  private static final String KEY = "bus";
  private static final List<Class<?>> RESOLVED = List.of(EventBus.class, InMemoryBroker.class, BusRecorder.class,
      TestClock.class);

  private final @Nullable Builder settings;

  /** The extension of {@code @ExtendWith} and {@link OmnibusTest}: settings from {@code @OmnibusTest}, if any. */
  public OmnibusExtension() {
    this.settings = null;
  }

  private OmnibusExtension(Builder settings) {
    this.settings = settings.copy();
  }

  /** Settings for {@code @RegisterExtension}. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public void beforeEach(ExtensionContext context) {
    Builder effective = settings != null ? settings : fromAnnotation(context);
    TestBus bus = TestBus.open(effective, effective.retriesOnTestClock || wantsTestClock(context));
    context.getStore(NAMESPACE).put(KEY, bus);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    TestBus bus = context.getStore(NAMESPACE).remove(KEY, TestBus.class);
    if (bus != null) {
      bus.close();
    }
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return RESOLVED.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    TestBus bus = context.getStore(NAMESPACE).get(KEY, TestBus.class);
    if (bus == null) {
      throw new ParameterResolutionException("The Omnibus test kit gives a " + type.getSimpleName() + " to test "
          + "methods, @BeforeEach and @AfterEach methods only (each test has its own), not to "
          + parameter.getDeclaringExecutable().getName() + "; for one shared by a class's tests, build it in the class");
    }
    if (type == EventBus.class) {
      return bus.bus();
    }
    if (type == BusRecorder.class) {
      return bus.recorder();
    }
    if (type == TestClock.class) {
      if (!bus.onTestClock()) {
        throw new ParameterResolutionException("The bus of this test waits its retries in real time, so a TestClock "
            + "given to " + parameter.getDeclaringExecutable().getName() + " would not move them: take the TestClock "
            + "as a parameter of the test method or of a @BeforeEach method, or build the extension with "
            + "OmnibusExtension.builder().retriesOnTestClock()");
      }
      return bus.clock();
    }
    InMemoryBroker broker = bus.broker();
    if (broker == null) {
      throw new ParameterResolutionException("The bus of this test runs on server '" + bus.bus().server().name()
          + "' (" + bus.bus().server().protocol() + "), not on an InMemoryBroker: "
          + parameter.getDeclaringExecutable().getName() + " cannot take one");
    }
    return broker;
  }

  /** Whether the test method or a {@code @BeforeEach} method it runs after takes a {@link TestClock}. */
  private static boolean wantsTestClock(ExtensionContext context) {
    if (takesTestClock(context.getRequiredTestMethod())) {
      return true;
    }
    for (Object instance : context.getRequiredTestInstances().getAllInstances()) {
      for (Method method : AnnotationSupport.findAnnotatedMethods(instance.getClass(), BeforeEach.class,
          HierarchyTraversalMode.TOP_DOWN)) {
        if (takesTestClock(method)) {
          return true;
        }
      }
    }
    return false;
  }

  private static boolean takesTestClock(Executable executable) {
    return Arrays.asList(executable.getParameterTypes()).contains(TestClock.class);
  }

  private static Builder fromAnnotation(ExtensionContext context) {
    Builder builder = new Builder();
    Optional<OmnibusTest> annotation = context.getTestClass()
        .flatMap(type -> AnnotationSupport.findAnnotation(type, OmnibusTest.class));
    annotation.ifPresent(settings -> {
      if (!settings.asyncApi().isBlank()) {
        builder.asyncApi(settings.asyncApi());
      }
      if (!settings.source().isBlank()) {
        builder.source(URI.create(settings.source()));
      }
    });
    return builder;
  }

  /**
   * The settings of an extension: what every test's bus is built with. Not thread-safe; the extension it builds keeps
   * its own copy.
   */
  public static final class Builder {
    private @Nullable Object asyncApi;
    private @Nullable URI source;
    private final List<EventType<?>> types = new ArrayList<>();
    private @Nullable Supplier<ServerConfig> server;
    private final List<Consumer<EventBus.Builder>> configurers = new ArrayList<>();
    private boolean retriesOnTestClock;

    Builder() {}

    /** The service's AsyncAPI document, as a classpath resource, e.g. {@code "asyncapi.yaml"}. */
    public Builder asyncApi(String classpathResource) {
      this.asyncApi = Objects.requireNonNull(classpathResource, "classpathResource");
      return this;
    }

    /** The service's AsyncAPI document, as a file. */
    public Builder asyncApi(Path document) {
      this.asyncApi = Objects.requireNonNull(document, "document");
      return this;
    }

    /** The CloudEvents {@code source} of what the bus publishes. */
    public Builder source(URI source) {
      this.source = Objects.requireNonNull(source, "source");
      return this;
    }

    /** Event types to register on the bus, checked against the document's messages when it is built. */
    public Builder register(EventType<?>... types) {
      for (EventType<?> type : types) {
        this.types.add(Objects.requireNonNull(type, "type"));
      }
      return this;
    }

    /**
     * Runs each test's bus on this server instead of a fresh in-memory broker (asked once per test), e.g.
     * {@code () -> EmbeddedKafka.shared().server()}. The document, when there is one, still gives the channels.
     */
    public Builder server(Supplier<ServerConfig> server) {
      this.server = Objects.requireNonNull(server, "server");
      return this;
    }

    /**
     * Anything else for the bus, called for each test on its builder after the kit's settings: a retry policy,
     * channel addresses, interceptors, validation.
     */
    public Builder configure(Consumer<EventBus.Builder> configurer) {
      configurers.add(Objects.requireNonNull(configurer, "configurer"));
      return this;
    }

    /** Retries wait on the test's {@link TestClock} in every test, not only in tests that take one. */
    public Builder retriesOnTestClock() {
      this.retriesOnTestClock = true;
      return this;
    }

    /** The extension, to put in a {@code @RegisterExtension} field. */
    public OmnibusExtension build() {
      return new OmnibusExtension(this);
    }

    private Builder copy() {
      Builder copy = new Builder();
      copy.asyncApi = asyncApi;
      copy.source = source;
      copy.types.addAll(types);
      copy.server = server;
      copy.configurers.addAll(configurers);
      copy.retriesOnTestClock = retriesOnTestClock;
      return copy;
    }
  }

  /** One test's broker, recorder, clock and bus; closed after the test. */
  private static final class TestBus implements AutoCloseable {
    private final @Nullable InMemoryBroker broker;
    private final BusRecorder recorder;
    private final TestClock clock;
    private final boolean onTestClock;
    private final EventBus bus;
    private final AtomicBoolean closed = new AtomicBoolean();

    private TestBus(@Nullable InMemoryBroker broker, BusRecorder recorder, TestClock clock, boolean onTestClock,
        EventBus bus) {
      this.broker = broker;
      this.recorder = recorder;
      this.clock = clock;
      this.onTestClock = onTestClock;
      this.bus = bus;
    }

    static TestBus open(Builder settings, boolean onTestClock) {
      InMemoryBroker broker = settings.server == null ? InMemoryBroker.create() : null;
      ServerConfig server = broker != null ? broker.server()
          : Objects.requireNonNull(settings.server.get(), "the server supplier gave null");
      BusRecorder recorder = BusRecorder.create();
      TestClock clock = TestClock.create();
      EventBus.Builder builder = EventBus.builder().server(server).intercept(recorder);
      if (settings.asyncApi instanceof Path document) {
        builder.asyncApi(document);
      } else if (settings.asyncApi instanceof String resource) {
        builder.asyncApi(resource);
      }
      if (settings.source != null) {
        builder.source(settings.source);
      }
      builder.register(settings.types.toArray(EventType<?>[]::new));
      if (onTestClock) {
        builder.backoff(clock);
      }
      settings.configurers.forEach(configurer -> configurer.accept(builder));
      return new TestBus(broker, recorder, clock, onTestClock, builder.build());
    }

    @Nullable InMemoryBroker broker() {
      return broker;
    }

    BusRecorder recorder() {
      return recorder;
    }

    TestClock clock() {
      return clock;
    }

    boolean onTestClock() {
      return onTestClock;
    }

    EventBus bus() {
      return bus;
    }

    @Override
    public void close() {
      if (closed.compareAndSet(false, true)) {
        bus.close();
        if (broker != null) {
          broker.clear();
        }
      }
    }
  }
}
