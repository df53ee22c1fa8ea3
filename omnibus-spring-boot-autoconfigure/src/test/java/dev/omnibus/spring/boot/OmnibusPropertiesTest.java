package dev.omnibus.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class OmnibusPropertiesTest {

  @Test
  void aCredentialPrintsItsUserNameButNotItsPassword() {
    OmnibusProperties.Credential credential = new OmnibusProperties.Credential("orders", "s3cret-value");

    assertThat(credential.toString()).contains("orders").doesNotContain("s3cret-value");
  }
}
