from rvubench.cli import main

main()
