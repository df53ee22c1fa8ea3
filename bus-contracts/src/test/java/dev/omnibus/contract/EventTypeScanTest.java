package dev.omnibus.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventType;
import dev.omnibus.contract.scan.Billing;
import dev.omnibus.contract.scan.Shipping;
import java.io.IOException;
import java.io.InputStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Contracts.eventTypes: the static EventType fields of classes and packages. */
class EventTypeScanTest {

  private static final String PACKAGE = "dev.omnibus.contract.scan";
  private final ClassLoader loader = getClass().getClassLoader();

  @Test
  void aClassGivesItsStaticEventTypeFieldsInNameOrder() {
    assertThat(Contracts.eventTypes(loader, List.of(Orders.class.getName())))
        .containsExactly(Orders.ORDER_PAID, Orders.ORDER_PLACED, Orders.ORDER_SHIPPED);
  }

  @Test
  void aPackageGivesTheEventTypesOfItsClassesInNameOrderEachOnce() {
    assertThat(Contracts.eventTypes(loader, List.of(PACKAGE)))
        .containsExactly(Billing.INVOICED, Shipping.SHIPPED);
  }

  @ParameterizedTest(name = "directory entries: {0}")
  @ValueSource(booleans = {true, false})
  void aPackageInsideAJarIsReadToo(boolean directoryEntries, @TempDir Path dir) throws IOException {
    Path jar = jar(dir.resolve("scan.jar"), directoryEntries);
    try (URLClassLoader fromJar =
        new URLClassLoader(new URL[] {jar.toUri().toURL()}, new WithoutScanPackage(loader))) {
      List<EventType<?>> types = Contracts.eventTypes(fromJar, List.of(PACKAGE));

      assertThat(types).extracting(EventType::type)
          .containsExactly("com.example.billing.invoiced.v1", "com.example.shipping.shipped.v1");
      assertThat(types.get(0).javaType().getClassLoader()).isSameAs(fromJar);
    }
  }

  /** A jar of the scan package's compiled classes, with directory entries as maven-jar-plugin writes, or without. */
  private static Path jar(Path jar, boolean directoryEntries) throws IOException {
    String directory = PACKAGE.replace('.', '/');
    Path classes = Path.of(Billing.class.getProtectionDomain().getCodeSource().getLocation().getPath());
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
        Stream<Path> files = Files.list(classes.resolve(directory))) {
      if (directoryEntries) {
        String parent = "";
        for (String part : directory.split("/")) {
          parent += part + "/";
          out.putNextEntry(new JarEntry(parent));
          out.closeEntry();
        }
      }
      for (Path file : files.sorted().toList()) {
        out.putNextEntry(new JarEntry(directory + "/" + file.getFileName()));
        try (InputStream in = Files.newInputStream(file)) {
          in.transferTo(out);
        }
        out.closeEntry();
      }
    }
    return jar;
  }

  @Test
  void aNameThatIsNeitherAClassNorAPackageIsAConfigurationError() {
    assertThatThrownBy(() -> Contracts.eventTypes(loader, List.of("com.example.Missing")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("'com.example.Missing' is neither a class nor a package with classes");
  }

  /** The test class path without the scan package, so that the jar's copy is the only one. */
  private static final class WithoutScanPackage extends ClassLoader {

    WithoutScanPackage(ClassLoader parent) {
      super(parent);
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
      if (name.startsWith(PACKAGE + ".")) {
        throw new ClassNotFoundException(name);
      }
      return super.loadClass(name, resolve);
    }

    @Override
    public Enumeration<URL> getResources(String name) throws IOException {
      return name.startsWith(PACKAGE.replace('.', '/')) ? Collections.emptyEnumeration() : super.getResources(name);
    }

    @Override
    public URL getResource(String name) {
      return name.startsWith(PACKAGE.replace('.', '/')) ? null : super.getResource(name);
    }
  }
}
