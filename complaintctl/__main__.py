from complaintctl.dispatch import main

main()
