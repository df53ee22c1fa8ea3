package dev.omnibus.contract;

import dev.omnibus.ConfigurationException;
import dev.omnibus.EventType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/** Finds the event types held in static fields of classes or packages (see {@link Contracts#eventTypes}). */
final class EventTypeScan {

  private EventTypeScan() {}

  static List<EventType<?>> scan(ClassLoader loader, List<String> names) {
    Set<EventType<?>> found = Collections.newSetFromMap(new IdentityHashMap<>());
    List<EventType<?>> types = new ArrayList<>();
    for (String name : names) {
      for (Class<?> holder : classes(loader, name)) {
        for (EventType<?> type : fields(holder)) {
          if (found.add(type)) {
            types.add(type);
          }
        }
      }
    }
    return List.copyOf(types);
  }

  /** The named class, else the classes of the named package, in name order. */
  private static List<Class<?>> classes(ClassLoader loader, String name) {
    try {
      return List.of(Class.forName(name, true, loader));
    } catch (ClassNotFoundException notAClass) {
      Set<String> classNames = packageClasses(loader, name);
      if (classNames.isEmpty()) {
        throw ConfigurationException.of("'" + name + "' is neither a class nor a package with classes on the"
            + " classpath: name the classes (or their packages) that hold the static EventType fields, and make"
            + " sure they are compiled");
      }
      List<Class<?>> classes = new ArrayList<>();
      for (String className : classNames) {
        try {
          classes.add(Class.forName(className, true, loader));
        } catch (ClassNotFoundException e) {
          throw ConfigurationException.because("Class " + className + " was listed in package " + name
              + " but could not be loaded: check the classpath", e);
        }
      }
      return classes;
    } catch (LinkageError e) {
      throw ConfigurationException.because("Class " + name + " could not be initialised (" + e
          + "): put its dependencies on the classpath", e);
    }
  }

  private static Set<String> packageClasses(ClassLoader loader, String packageName) {
    String directory = packageName.replace('.', '/');
    Set<String> names = new TreeSet<>();
    try {
      for (URL url : Collections.list(loader.getResources(directory))) {
        if (url.getProtocol().equals("file")) {
          try (DirectoryStream<Path> files = Files.newDirectoryStream(Path.of(url.toURI()), "*.class")) {
            for (Path file : files) {
              add(names, packageName, file.getFileName().toString());
            }
          }
        } else if (url.getProtocol().equals("jar")
            && url.openConnection() instanceof JarURLConnection connection) {
          connection.setUseCaches(false);
          try (JarFile jar = connection.getJarFile()) {
            jarClasses(jar, directory, packageName, names);
          }
        }
      }
      // A jar written without directory entries has no resource for the package: read the loader's own jars.
      if (loader instanceof URLClassLoader urls) {
        for (URL url : urls.getURLs()) {
          if (url.getProtocol().equals("file") && url.getPath().endsWith(".jar")) {
            try (JarFile jar = new JarFile(Path.of(url.toURI()).toFile())) {
              jarClasses(jar, directory, packageName, names);
            }
          }
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("Cannot list package " + packageName, e);
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return names;
  }

  private static void jarClasses(JarFile jar, String directory, String packageName, Set<String> names) {
    for (JarEntry entry : Collections.list(jar.entries())) {
      String entryName = entry.getName();
      if (entryName.startsWith(directory + "/") && entryName.indexOf('/', directory.length() + 1) < 0) {
        add(names, packageName, entryName.substring(directory.length() + 1));
      }
    }
  }

  private static void add(Set<String> names, String packageName, String fileName) {
    if (fileName.endsWith(".class") && !fileName.equals("package-info.class")
        && !fileName.equals("module-info.class")) {
      names.add(packageName + "." + fileName.substring(0, fileName.length() - ".class".length()));
    }
  }

  private static List<EventType<?>> fields(Class<?> holder) {
    List<Field> fields = new ArrayList<>(Arrays.asList(holder.getDeclaredFields()));
    fields.sort(Comparator.comparing(Field::getName));
    List<EventType<?>> types = new ArrayList<>();
    for (Field field : fields) {
      if (Modifier.isStatic(field.getModifiers()) && !EventType.class.isAssignableFrom(field.getType())
          && field.getType().getName().equals(EventType.class.getName())) {
        throw ConfigurationException.of(holder.getName() + "." + field.getName() + " is an EventType of another"
            + " class loader: load the classes with a loader whose parent sees Omnibus (bus-api) first");
      }
      if (Modifier.isStatic(field.getModifiers()) && EventType.class.isAssignableFrom(field.getType())) {
        try {
          field.setAccessible(true);
          Object value = field.get(null);
          if (value != null) {
            types.add((EventType<?>) value);
          }
        } catch (IllegalAccessException | RuntimeException e) {
          throw ConfigurationException.because("Cannot read " + holder.getName() + "." + field.getName() + ": "
              + e.getMessage(), e);
        }
      }
    }
    return types;
  }
}
