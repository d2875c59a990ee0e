public class Convert {
  public static void main(String[] args) {
    System.out.println("csv to mdb");
  }
}
