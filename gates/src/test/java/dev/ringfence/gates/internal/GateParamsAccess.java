package dev.ringfence.gates.internal;

/** Opens {@link GateParams#withoutUserInfo} to the tests of the public package. */
public final class GateParamsAccess {

  private GateParamsAccess() {}

  public static String withoutUserInfo(String text) {
    return GateParams.withoutUserInfo(text);
  }
}
