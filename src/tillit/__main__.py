from tillit.cli.main import main

main()
