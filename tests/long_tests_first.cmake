# Read by ctest after the discovered tests (tests/CMakeLists.txt appends it to TEST_INCLUDE_FILES).
# ctest -j starts tests in descending cost. Before a run has recorded costs (every CI run: a clean
# clone has no Testing/Temporary/CTestCostData.txt) all costs are 0 and tests start in the order of
# their files: the demo study's three runs (33-48 s each) began after the 570th of 686 tests, the
# MPI one 675th, and the suite ended on one busy core. With these costs they start first; a whole
# run took 217.2 s against 220.8 s (2 paired runs). The costs are seconds measured on 2 cores
# (session 58's machine, a clean clone's run), every test over 7 s; once ctest has its own
# measurements it uses those. A name not found (a test renamed) is ignored by ctest: only the order
# changes. python_module's cost is set beside its add_test.
set(mgscope_long_tests
  ReportInBrowser.DemoStudyPagesLoadFitAndLogNoError 26
  SampleCommand.DemoStudyEndToEndThenNothingToRedo 17
  WorkTeam.SamplesSideBySideWriteTheBytesAndLinesOfOneAtATime 17
  Mpi.DemoStudyThreeRanksWriteTheBytesOfOneProcess 13
  Mpi.AStartUpErrorOfSomeRanksAloneIsSaidByThemAndEndsTheJob 13
  HrtemMemory.PeakOfA16BitImageStaysNearItsOwnSize 13
  HrtemAnalysis.PureAmorphousImageHasFewOrderedBoxes 11
  MceCli.FieldColumnsInTeslaOrKiloOerstedReadAsTheirOerstedOriginals 10
  EmdReader.FlippedBytesGiveInputErrorOrAnImage 10
  Mpi.HrtemThreeRanksWriteTheBytesOfOneProcess 9
  Overlay.LeftOutBoxesAreDarkenedOnceAndHatchedByWhy 8
  MceCli.CoarseFirstFieldStepIsWarnedOfEverywhere 8
  HrtemMemory.PeakOfAFloatImageHoldsItsPixelsOnce 7
  Mpi.AStartUpErrorIsPrintedOnceAndEveryRankFails 7)
while(mgscope_long_tests)
  list(POP_FRONT mgscope_long_tests name seconds)
  set_tests_properties(${name} PROPERTIES COST ${seconds})
endwhile()
