public class Api {
  public static void main(String[] args) {
    System.out.println("omis backend");
  }
}
