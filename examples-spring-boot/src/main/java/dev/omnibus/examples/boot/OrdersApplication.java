package dev.omnibus.examples.boot;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;

/** Starts the orders service: {@code mvn -pl examples-spring-boot spring-boot:run}. */
@SpringBootApplication
public class OrdersApplication {

  /** Runs the application. */
  public static void main(String[] args) {
    SpringApplication.run(OrdersApplication.class, args);
  }
}
